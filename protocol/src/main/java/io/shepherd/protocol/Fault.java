package io.shepherd.protocol;

import java.time.Instant;

/**
 * Something a client that manages nodes (MANAGED mode, LIGO Guardian's node checker) should know
 * about them: a node error, the loss of a node's host, a notification raised by a node, a change
 * of mode (another client took the node over, or set it AUTO), or a request of its state by anyone
 * but its manager (another client, a site file, a host's {@code --initial-state}).
 */
public sealed interface Fault extends CborSerializable {

  NodePath path();

  Instant at();

  /** The node crashed (a callback threw, it hung, or it reported a failure). */
  record NodeError(NodePath path, String reason, Instant at) implements Fault {}

  /** The node's host is unreachable or down: the connection to the node is lost. */
  record ConnectionLost(NodePath path, String host, String reason, Instant at) implements Fault {}

  /** The node raised a notification ({@code NodeContext.notify}). */
  record Notification(NodePath path, String message, Instant at) implements Fault {}

  /** The node's mode changed: {@code by} is the client that changed it. */
  record ModeChanged(NodePath path, Mode mode, String by, Instant at) implements Fault {}

  /** The node's requested state was changed to {@code requested} by {@code by}, not by its manager. */
  record RequestChanged(NodePath path, NodeState requested, String by, Instant at) implements Fault {}
}
