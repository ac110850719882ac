package io.shepherd.manager.site;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.manager.internal.DesiredGroup;
import io.shepherd.manager.internal.DesiredNode;
import io.shepherd.manager.internal.HostEntry;
import io.shepherd.manager.internal.Registry;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.Site;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What applying a site file would change, computed from the registry without changing it. */
class SitePlanTest {

  static final NodeSpec SLOW = NodeSpec.of("sine", Map.of("frequency", "1"));
  static final NodeSpec FAST = NodeSpec.of("sine", Map.of("frequency", "9"));

  /** A registry where the site file declared daq1/acq {a, b, c, d} (d down) and a client made daq1/mine. */
  static Registry registry() {
    Registry registry = new Registry(List.of(
        new DesiredGroup(GroupPath.parse("daq1/acq"), "daq1", true, Site.OWNER),
        new DesiredGroup(GroupPath.parse("daq1/old"), "daq1", true, Site.OWNER),
        new DesiredGroup(GroupPath.parse("daq1/mine"), "daq1", false, "session-1")), List.of(
        new DesiredNode(NodePath.parse("daq1/acq/a"), SLOW, NodeState.RUNNING, 1, null, NodeState.RUNNING),
        new DesiredNode(NodePath.parse("daq1/acq/b"), SLOW, NodeState.RUNNING, 1, null, NodeState.RUNNING),
        new DesiredNode(NodePath.parse("daq1/acq/c"), SLOW, NodeState.RUNNING, 1, null, NodeState.RUNNING),
        new DesiredNode(NodePath.parse("daq1/acq/d"), SLOW, NodeState.INITIALIZED, 1, null, NodeState.STOPPED),
        new DesiredNode(NodePath.parse("daq1/old/x"), SLOW, NodeState.RUNNING, 1, null, NodeState.RUNNING)), Map.of());
    registry.add(new HostEntry("daq1", null, new HostInfo("daq1", "akka://shepherd@127.0.0.1:1", 7, List.of("sine"), List.of(), 1,
        List.of())));
    return registry;
  }

  static Site.Node node(String path, NodeSpec spec, NodeState target) {
    return new Site.Node(NodePath.parse(path), spec, target);
  }

  @Test
  void eachNodeIsAddedChangedRetargetedRemovedOrLeftAlone() {
    Registry registry = registry();
    Site site = new Site("site.conf", List.of(
        new Site.Group(GroupPath.parse("daq1/acq"), List.of(
            node("daq1/acq/a", SLOW, NodeState.RUNNING),      // as before
            node("daq1/acq/b", FAST, NodeState.RUNNING),      // another spec: restarted with it
            node("daq1/acq/d", SLOW, NodeState.RUNNING),      // was down, now up
            node("daq1/acq/e", SLOW, NodeState.STOPPED))),    // new, down
        new Site.Group(GroupPath.parse("daq1/new"), List.of(node("daq1/new/y", SLOW, NodeState.RUNNING)))));

    SitePlan plan = SitePlan.of(site, registry);

    assertEquals(List.of(), plan.errors);
    assertEquals(List.of("daq1/acq/e", "daq1/new/y"), plan.addedPaths());
    assertEquals(List.of("daq1/acq/b", "daq1/acq/d"), plan.changedPaths());
    assertEquals(List.of("daq1/acq/c", "daq1/old/x"), plan.removedPaths(registry), "c left the file; group old with its node");
    assertEquals(List.of("daq1/acq/a"), plan.unchanged);
    assertEquals(NodeState.RUNNING, plan.retargeted.get(0).state());
    assertEquals(List.of(GroupPath.parse("daq1/new")), plan.addedGroups.stream().map(Site.Group::path).toList());
    assertEquals(NodeState.STOPPED, registry.node(NodePath.parse("daq1/acq/d")).declared(), "the registry is unchanged");
    assertEquals(SLOW, registry.node(NodePath.parse("daq1/acq/b")).spec());
  }

  @Test
  void aNodeAClientManagesKeepsItsModeWhenTheFileIsAppliedAgainButAnotherSpecStillRestartsIt() {
    Registry registry = registry();
    registry.node(NodePath.parse("daq1/acq/a")).setMode(Mode.MANAGED, "session-9");
    registry.node(NodePath.parse("daq1/acq/b")).setMode(Mode.MANAGED, "session-9");
    Site site = new Site("site.conf", List.of(new Site.Group(GroupPath.parse("daq1/acq"), List.of(
        node("daq1/acq/a", SLOW, NodeState.RUNNING), node("daq1/acq/b", FAST, NodeState.RUNNING),
        node("daq1/acq/c", SLOW, NodeState.RUNNING), node("daq1/acq/d", SLOW, NodeState.STOPPED)))));

    SitePlan plan = SitePlan.of(site, registry);

    assertEquals(List.of("daq1/acq/b"), plan.changedPaths());
    assertTrue(plan.unchanged.contains("daq1/acq/a"), plan.unchanged.toString());
  }

  @Test
  void everyErrorIsCollectedAndNothingIsPlannedAroundThem() {
    Site site = new Site("site.conf", List.of(
        new Site.Group(GroupPath.parse("daq1/mine"), List.of(node("daq1/mine/z", SLOW, NodeState.RUNNING))),
        new Site.Group(GroupPath.parse("daq9/acq"), List.of(node("daq9/acq/z", SLOW, NodeState.RUNNING)))));

    SitePlan plan = SitePlan.of(site, registry());

    assertEquals(2, plan.errors.size(), plan.errors.toString());
    assertTrue(plan.errors.get(0).startsWith("group daq1/mine already exists and was created by a client (session-1)"), plan.errors.get(0));
    assertEquals("group daq9/acq: no host daq9 is registered; hosts: daq1", plan.errors.get(1));
  }
}
