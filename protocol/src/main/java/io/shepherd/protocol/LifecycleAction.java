package io.shepherd.protocol;

import java.util.Locale;

/** The lifecycle callbacks of a Node, each with the state it leads to. */
public enum LifecycleAction {
  CONFIGURE(NodeState.CONFIGURED),
  INITIALIZE(NodeState.INITIALIZED),
  START(NodeState.RUNNING),
  STOP(NodeState.STOPPED),
  CLOSE(NodeState.CLOSED);

  private final NodeState target;

  LifecycleAction(NodeState target) {
    this.target = target;
  }

  /** The state a node is in once this action has completed. */
  public NodeState target() {
    return target;
  }

  /** The callback's name as users write it: {@code configure}, {@code start}, ... */
  public String callName() {
    return name().toLowerCase(Locale.ROOT);
  }
}
