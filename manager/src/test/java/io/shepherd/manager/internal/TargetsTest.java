package io.shepherd.manager.internal;

import static io.shepherd.manager.internal.Fixtures.host;
import static io.shepherd.manager.internal.Fixtures.registry;
import static io.shepherd.manager.internal.Fixtures.status;
import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.protocol.ManagerProtocol.TargetState;
import io.shepherd.protocol.NodeState;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** OCS's update over targets: paths, hosts, all, and bare node names where they are unique. */
class TargetsTest {

  // daq1/acq/daq2: a node named like a host
  final Registry registry = registry(List.of("daq1/acq", "daq2/acq", "daq2/rec"),
      List.of("daq1/acq/data1", "daq1/acq/sine", "daq1/acq/daq2", "daq2/acq/sine", "daq2/rec/writer"));

  TargetsTest() {
    host(registry, "daq1");
    host(registry, "daq2");
    for (NodeEntry node : registry.nodes()) {
      node.observe(status(node.path().toString(), node.path().placement(), NodeState.STOPPED, NodeState.STOPPED, 1));
    }
  }

  /** What each node is to be requested, by path. */
  Map<String, NodeState> states(Targets.Resolution resolution) {
    Map<String, NodeState> states = new TreeMap<>();
    resolution.states().forEach((node, state) -> states.put(node.path().toString(), state));
    return states;
  }

  @Test
  void aBareNameThatIsUniqueNamesItsNodeAndALaterRequestWins() {
    Targets.Resolution resolution = Targets.resolve(List.of(new TargetState("all", NodeState.RUNNING),
        new TargetState("data1", NodeState.STOPPED), new TargetState("writer", NodeState.STOPPED)), registry);
    assertEquals(List.of(), resolution.errors());
    assertEquals(Map.of("daq1/acq/data1", NodeState.STOPPED, "daq1/acq/sine", NodeState.RUNNING, "daq1/acq/daq2", NodeState.RUNNING,
        "daq2/acq/sine", NodeState.RUNNING, "daq2/rec/writer", NodeState.STOPPED), states(resolution),
        "up all, then data1 and writer down by name");
  }

  @Test
  void anAmbiguousNameIsRefusedListingTheNodesItCouldMean() {
    Targets.Resolution resolution = Targets.resolve(List.of(new TargetState("sine", NodeState.RUNNING)), registry);
    assertEquals(List.of("the name sine is ambiguous: [daq1/acq/sine, daq2/acq/sine]; give the node's path"), resolution.errors());
  }

  @Test
  void aHostIdWinsOverANodeOfTheSameNameAndAnUnknownNameSaysWhatItLookedFor() {
    Targets.Resolution host = Targets.resolve(List.of(new TargetState("daq2", NodeState.RUNNING)), registry);
    assertEquals(List.of(), host.errors());
    assertEquals(Map.of("daq2/acq/sine", NodeState.RUNNING, "daq2/rec/writer", NodeState.RUNNING), states(host));
    Targets.Resolution unknown = Targets.resolve(List.of(new TargetState("nothing", NodeState.RUNNING)), registry);
    assertEquals(List.of("no host nothing, and no node named nothing; hosts: daq1, daq2"), unknown.errors());
  }
}
