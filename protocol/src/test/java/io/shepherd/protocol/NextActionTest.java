package io.shepherd.protocol;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

/** OCS's next_action from a node's state, its request and whether it holds. */
class NextActionTest {

  @Test
  void upTowardsRunningDownTowardsLowerStatesNoneWhenArrived() {
    assertEquals("up", NextAction.of(NodeState.CREATED, NodeState.RUNNING, false, false));
    assertEquals("up", NextAction.of(NodeState.STOPPED, NodeState.RUNNING, false, false));
    assertEquals("up", NextAction.of(NodeState.CREATED, NodeState.CONFIGURED, false, false));
    assertEquals("down", NextAction.of(NodeState.RUNNING, NodeState.STOPPED, false, false));
    assertEquals("down", NextAction.of(NodeState.RUNNING, NodeState.CLOSED, false, false));
    assertEquals("down", NextAction.of(NodeState.INITIALIZED, NodeState.CLOSED, false, false));
    assertEquals("none", NextAction.of(NodeState.RUNNING, NodeState.RUNNING, false, false));
    assertEquals("none", NextAction.of(NodeState.STOPPED, NodeState.STOPPED, false, false));
  }

  @Test
  void aFailedNodeGoesUpAgainUnlessItHoldsAndALostOneWaits() {
    assertEquals("up", NextAction.of(NodeState.FAILED, NodeState.RUNNING, false, false), "an AUTO restart is due");
    assertEquals("wait", NextAction.of(NodeState.FAILED, NodeState.RUNNING, true, false), "stalled, or its budget spent");
    assertEquals("wait", NextAction.of(NodeState.LOST, NodeState.RUNNING, false, false), "its host is gone");
    assertEquals("down", NextAction.of(NodeState.RUNNING, NodeState.RUNNING, false, true), "being removed");
  }
}
