package io.shepherd.host;

import static org.junit.jupiter.api.Assertions.*;

import io.shepherd.host.nodes.NoopNode;
import io.shepherd.host.testnodes.NoDefaultConstructorNode;
import io.shepherd.host.testnodes.NotANode;
import io.shepherd.host.testnodes.RecordingNode;
import io.shepherd.protocol.ErrorCode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeTypesTest {

  final NodeTypes types = new NodeTypes("daq1", Map.of("noop", NoopNode.class.getName()),
      List.of("io.shepherd.host.testnodes"), getClass().getClassLoader());

  @Test
  void registeredNamesAndAllowListedClassesResolve() throws Exception {
    assertInstanceOf(NoopNode.class, types.newInstance("noop"));
    assertInstanceOf(RecordingNode.class, types.newInstance(RecordingNode.class.getName()));
    assertEquals(List.of("noop"), types.names());
  }

  @Test
  void anUnknownNameIsRefusedListingTheKnownOnes() {
    NodeTypeException e = assertThrows(NodeTypeException.class, () -> types.check("sin"));
    assertEquals(ErrorCode.UNKNOWN_TYPE, e.code());
    assertTrue(e.getMessage().contains("unknown node type 'sin' on host daq1"), e.getMessage());
    assertTrue(e.getMessage().contains("[noop]"), e.getMessage());
  }

  @Test
  void aClassOutsideTheAllowListIsNeverLoaded() {
    NodeTypeException e = assertThrows(NodeTypeException.class, () -> types.check(NoopNode.class.getName()));
    assertEquals(ErrorCode.NOT_ALLOWED, e.code());
    assertThrows(NodeTypeException.class, () -> types.check("java.lang.Runtime"));
    // A prefix that only looks like the package is not the package.
    assertEquals(ErrorCode.NOT_ALLOWED,
        assertThrows(NodeTypeException.class, () -> types.check("io.shepherd.host.testnodesevil.X")).code());
  }

  @Test
  void missingAndUnsuitableClassesAreRefusedWithTheReason() {
    assertEquals(ErrorCode.UNKNOWN_TYPE,
        assertThrows(NodeTypeException.class, () -> types.check("io.shepherd.host.testnodes.Missing")).code());
    NodeTypeException notANode = assertThrows(NodeTypeException.class, () -> types.check(NotANode.class.getName()));
    assertEquals(ErrorCode.INVALID_ARGUMENT, notANode.code());
    assertTrue(notANode.getMessage().contains("does not implement io.shepherd.node.Node"));
    NodeTypeException noCtor = assertThrows(NodeTypeException.class,
        () -> types.check(NoDefaultConstructorNode.class.getName()));
    assertTrue(noCtor.getMessage().contains("no public no-argument constructor"), noCtor.getMessage());
  }
}
