package io.shepherd.host.internal;

import akka.actor.NoSerializationVerificationNeeded;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;

/**
 * What a {@link NodeRunner} tells its host agent about its node, through the host's event sink
 * ({@link HostEnvironment#events()}); sent by its {@link StatusReporter}. Local to the host's JVM.
 */
public sealed interface NodeEvent extends NoSerializationVerificationNeeded {

  /** The node was created or changed. */
  record StatusChanged(NodeStatus status) implements NodeEvent {}

  /** The node could not be created; the runner has stopped and nothing was created. */
  record Rejected(NodePath path, ErrorCode code, String message) implements NodeEvent {}

  /** The node was removed; the runner has stopped. */
  record Removed(NodePath path) implements NodeEvent {}

  /** The node raised a notification. */
  record Notified(NodePath path, String message, Instant at) implements NodeEvent {}

  /** The node's latest checkpoint (frequent ones are coalesced). */
  record Checkpointed(NodePath path, Checkpoint checkpoint) implements NodeEvent {}
}
