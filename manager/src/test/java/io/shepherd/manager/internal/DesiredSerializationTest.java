package io.shepherd.manager.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.jackson.JacksonCborSerializer;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.ProtocolSerializationTest;
import io.shepherd.testing.RoundTrip;
import io.shepherd.testing.TestConfig;
import io.shepherd.testing.WireTypes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The desired state crosses JVMs too (Distributed Data replicates it between manager members):
 * every CborSerializable type on this module's class path — protocol, host agent and manager —
 * has a sample that goes through Jackson CBOR and comes back equal, and none travels by class name.
 */
class DesiredSerializationTest {

  static final ActorTestKit KIT = ActorTestKit.create("desired-serialization", TestConfig.local());

  @AfterAll
  static void shutdown() {
    KIT.shutdownTestKit();
  }

  static List<Object> samples() {
    NodeSpec spec = NodeSpec.of("sine", Map.of("frequency", "5")).withMode(Mode.MANAGED);
    return List.of(
        new DesiredNode(NodePath.parse("daq1/acq/sine"), spec, NodeState.RUNNING, 7, "session-1", NodeState.RUNNING, "session-0"),
        new DesiredNode(NodePath.parse("daq1/acq/sine"), spec, NodeState.CREATED, 1, null, null),
        new DesiredGroup(GroupPath.parse("any/acq"), "daq2", false, "session-1", Map.of("MySine", "io.shepherd.host.nodes.SineNode")),
        new DesiredGroup(GroupPath.parse("any/acq"), null, true, null));
  }

  @Test
  void theDesiredStateRoundTripsThroughJacksonCbor() {
    for (Object sample : samples()) {
      assertInstanceOf(JacksonCborSerializer.class, RoundTrip.serializerFor(KIT.system(), sample), sample.getClass() + " on jackson-cbor");
      assertEquals(sample, RoundTrip.roundTrip(KIT.system(), sample));
    }
  }

  @Test
  void everyCrossJvmTypeOfEveryModuleHasASampleAndNoneTravelsByClassName() throws Exception {
    List<Object> all = new ArrayList<>(ProtocolSerializationTest.samples());
    all.addAll(samples());
    Set<String> sampled = all.stream().map(o -> o.getClass().getName()).collect(Collectors.toSet());
    List<Class<?>> types = WireTypes.onClassPath();
    assertTrue(types.contains(DesiredNode.class) && types.contains(DesiredGroup.class), "the scan reaches this module: " + types);
    assertEquals(List.of(), types.stream().map(Class::getName).filter(n -> !sampled.contains(n)).toList(),
        "every CborSerializable type needs a round-trip sample");
    types.forEach(WireTypes::assertNoClassNames);
  }
}
