package io.shepherd.protocol;

import static io.shepherd.protocol.NodeState.*;
import static org.junit.jupiter.api.Assertions.*;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifecycleTest {

  @Test
  void theTransitionTableIsTheDocumentedOne() {
    assertEquals(Set.of(LifecycleAction.CONFIGURE, LifecycleAction.CLOSE), Lifecycle.allowed(CREATED));
    assertEquals(Set.of(LifecycleAction.INITIALIZE, LifecycleAction.CLOSE), Lifecycle.allowed(CONFIGURED));
    assertEquals(Set.of(LifecycleAction.START, LifecycleAction.CLOSE), Lifecycle.allowed(INITIALIZED));
    assertEquals(Set.of(LifecycleAction.STOP), Lifecycle.allowed(RUNNING));
    assertEquals(Set.of(LifecycleAction.START, LifecycleAction.CLOSE), Lifecycle.allowed(STOPPED));
    assertEquals(Set.of(), Lifecycle.allowed(CLOSED));
    // A failed or lost node has no instance: it starts over.
    assertEquals(Lifecycle.allowed(CREATED), Lifecycle.allowed(FAILED));
    assertEquals(Lifecycle.allowed(CREATED), Lifecycle.allowed(LOST));
  }

  @Test
  void startBeforeInitializeIsNotAllowed() {
    assertFalse(Lifecycle.isAllowed(CREATED, LifecycleAction.START));
    assertFalse(Lifecycle.isAllowed(CONFIGURED, LifecycleAction.START));
    assertTrue(Lifecycle.isAllowed(INITIALIZED, LifecycleAction.START));
    assertFalse(Lifecycle.isAllowed(RUNNING, LifecycleAction.CLOSE));
  }

  @Test
  void plansTakeTheShortestWay() {
    assertEquals(Optional.of(List.of(CONFIGURED, INITIALIZED, RUNNING)), Lifecycle.plan(CREATED, RUNNING));
    assertEquals(Optional.of(List.of(STOPPED, CLOSED)), Lifecycle.plan(RUNNING, CLOSED));
    assertEquals(Optional.of(List.of(RUNNING)), Lifecycle.plan(STOPPED, RUNNING));
    assertEquals(Optional.of(List.of()), Lifecycle.plan(RUNNING, RUNNING));
    assertEquals(Optional.of(List.of(CLOSED)), Lifecycle.plan(CREATED, CLOSED));
    assertEquals(Optional.of(List.of(CONFIGURED, INITIALIZED, RUNNING)), Lifecycle.plan(FAILED, RUNNING));
    assertEquals(Optional.of(LifecycleAction.STOP), Lifecycle.nextAction(RUNNING, CLOSED));
    assertEquals(Optional.empty(), Lifecycle.nextAction(RUNNING, RUNNING));
    assertEquals(List.of(LifecycleAction.STOP, LifecycleAction.CLOSE), Lifecycle.actions(RUNNING, CLOSED));
    assertEquals(List.of(LifecycleAction.CONFIGURE, LifecycleAction.INITIALIZE, LifecycleAction.START), Lifecycle.actions(FAILED, RUNNING));
    assertEquals(List.of(), Lifecycle.actions(RUNNING, RUNNING));
  }

  @Test
  void thereIsNoWayBack() {
    assertTrue(Lifecycle.plan(RUNNING, INITIALIZED).isEmpty());
    assertTrue(Lifecycle.plan(CLOSED, RUNNING).isEmpty());
    assertTrue(Lifecycle.plan(INITIALIZED, CONFIGURED).isEmpty());
    assertEquals(EnumSet.of(STOPPED, CLOSED), Lifecycle.reachableFrom(RUNNING));
    assertEquals(EnumSet.noneOf(NodeState.class), Lifecycle.reachableFrom(CLOSED));
  }

  @Test
  void aRequestMustBeReachableFromEveryStateOnTheWay() {
    assertTrue(Lifecycle.checkRequest(CREATED, CREATED, RUNNING).isEmpty());
    assertTrue(Lifecycle.checkRequest(CONFIGURED, RUNNING, STOPPED).isEmpty());
    // Heading to RUNNING through INITIALIZED: INITIALIZED can no longer be requested safely.
    Optional<String> refused = Lifecycle.checkRequest(CONFIGURED, RUNNING, INITIALIZED);
    assertTrue(refused.isPresent());
    assertTrue(refused.get().contains("heading to RUNNING"), refused.get());
    assertTrue(Lifecycle.checkRequest(RUNNING, RUNNING, CREATED).orElseThrow().contains("cannot be requested"));
    assertTrue(Lifecycle.checkRequest(CLOSED, CLOSED, RUNNING).orElseThrow().contains("it is CLOSED"));
    // A failed node can be requested anywhere: it starts over.
    assertTrue(Lifecycle.checkRequest(FAILED, RUNNING, RUNNING).isEmpty());
  }

  @Test
  void statesParseFromUpAndDownToo() {
    assertEquals(RUNNING, NodeState.parse("up"));
    assertEquals(STOPPED, NodeState.parse("DOWN"));
    assertEquals(INITIALIZED, NodeState.parse("initialized"));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NodeState.parse("sideways"));
    assertTrue(e.getMessage().contains("unknown state 'sideways'"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> NodeState.parse(""));
    assertThrows(IllegalArgumentException.class, () -> NodeState.parse(null));
  }

  @Test
  void aStartingNodeIsPlannedAsRunningAndCannotBeRequested() {
    assertFalse(NodeState.STARTING.requestable());
    assertEquals(List.of(), Lifecycle.actions(NodeState.STARTING, NodeState.RUNNING), "it becomes RUNNING by itself");
    assertEquals(List.of(LifecycleAction.STOP), Lifecycle.actions(NodeState.STARTING, NodeState.STOPPED));
    assertEquals(Optional.empty(), Lifecycle.checkRequest(NodeState.STARTING, NodeState.RUNNING, NodeState.RUNNING));
    assertEquals(Optional.empty(), Lifecycle.checkRequest(NodeState.STARTING, NodeState.RUNNING, NodeState.STOPPED));
    assertEquals(Optional.of(NodeState.STOPPED), Lifecycle.upDown(NodeState.STARTING, NodeState.RUNNING, false));
    assertEquals(NextAction.UP, NextAction.of(NodeState.STARTING, NodeState.RUNNING, false, false));
  }
}
