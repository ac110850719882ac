package io.shepherd.protocol;

import java.util.Arrays;
import java.util.Locale;

/**
 * The lifecycle states of a Node (pyacq, ROS 2 managed nodes, EXOS):
 * {@code CREATED -> CONFIGURED -> INITIALIZED -> RUNNING <-> STOPPED -> CLOSED}, and {@code FAILED}
 * from any state. {@code LOST} is reported by the Manager for a node whose host is gone; a host
 * never reports it. For a process node, {@code RUNNING} is "up" and {@code STOPPED} is "down".
 * {@code STARTING} is a node with a readiness check ({@link Probe}) that has started and is not
 * ready yet: it becomes RUNNING when ready, and crashes ({@code not-ready}) if it is not within its
 * start timeout. It cannot be requested: a node requested RUNNING passes through it.
 */
public enum NodeState {
  CREATED,
  CONFIGURED,
  INITIALIZED,
  STARTING,
  RUNNING,
  STOPPED,
  CLOSED,
  FAILED,
  LOST;

  /** True for the states a client may request. */
  public boolean requestable() {
    return switch (this) {
      case CONFIGURED, INITIALIZED, RUNNING, STOPPED, CLOSED -> true;
      default -> false;
    };
  }

  /**
   * Parses a state name, case-insensitively, also accepting {@code up} (RUNNING) and {@code down}
   * (STOPPED).
   *
   * @throws IllegalArgumentException listing the valid names
   */
  public static NodeState parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("state is missing; use one of " + Arrays.toString(values()) + ", up or down");
    }
    String upper = text.trim().toUpperCase(Locale.ROOT);
    if (upper.equals("UP")) {
      return RUNNING;
    }
    if (upper.equals("DOWN")) {
      return STOPPED;
    }
    for (NodeState state : values()) {
      if (state.name().equals(upper)) {
        return state;
      }
    }
    throw new IllegalArgumentException(
        "unknown state '" + Names.abbreviate(text) + "'; use one of " + Arrays.toString(values()) + ", up or down");
  }
}
