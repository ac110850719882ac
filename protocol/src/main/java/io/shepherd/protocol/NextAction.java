package io.shepherd.protocol;

/**
 * What Shepherd will do next with a node, as OCS's HostManager lists it ({@code next_action}):
 * {@value #UP} (towards RUNNING, or a restart that is due), {@value #DOWN} (towards a lower state,
 * or removal), {@value #WAIT} (nothing until something else happens: a MANAGED node stalled after
 * a crash, an AUTO node whose restart budget is spent, a node whose host is gone) or
 * {@value #NONE} (it is where it was asked to be).
 */
public final class NextAction {

  public static final String UP = "up";
  public static final String DOWN = "down";
  public static final String WAIT = "wait";
  public static final String NONE = "none";

  private NextAction() {}

  /**
   * @param held FAILED and left so until a new request: stalled (MANAGED), or the restart budget spent
   * @param removing the node is being stopped and closed for good
   */
  public static String of(NodeState current, NodeState requested, boolean held, boolean removing) {
    if (removing) {
      return DOWN;
    }
    if (held || current == NodeState.LOST) {
      return WAIT;
    }
    if (current == requested) {
      return NONE;
    }
    if (current == NodeState.FAILED) {
      return UP; // a restart is due
    }
    return rank(requested) > rank(current) ? UP : DOWN;
  }

  /** How far up the lifecycle a state is: RUNNING highest, STOPPED below INITIALIZED's successors, CLOSED lowest. */
  private static int rank(NodeState state) {
    return switch (state) {
      case CLOSED -> 0;
      case CREATED -> 1;
      case CONFIGURED -> 2;
      case INITIALIZED, STOPPED -> 3;
      case STARTING -> 4;
      case RUNNING -> 5;
      case FAILED, LOST -> 1;
    };
  }
}
