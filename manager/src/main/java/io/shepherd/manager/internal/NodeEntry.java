package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.ArrayList;
import java.util.List;

/** A node, desired and observed. Mutable; owned by the Manager actor. */
public final class NodeEntry {

  public final NodePath path;
  public NodeSpec spec;
  public NodeState requested;
  public long seq;
  public String managedBy;
  /** The target state its site file declares, or null if no site file declares it. */
  public NodeState declared;
  /** The node's latest checkpoint, handed to it when it is created again. */
  public Checkpoint checkpoint;
  public Phase phase;
  /** The last status its host reported, or null if the host does not (or no longer) run it. */
  public NodeStatus observed;
  /** Why its host could not create it again, if it could not; cleared once it runs. */
  public String placementError;
  public long createdAt;
  public long lastSent;
  public ActorRef<ManagerProtocol.Reply> createReply;
  public final List<Waiter> waiters = new ArrayList<>();
  public final List<ActorRef<ManagerProtocol.Reply>> removeReplies = new ArrayList<>();

  public NodeEntry(NodePath path, NodeSpec spec, NodeState requested, long seq, String managedBy, Phase phase) {
    this.path = path;
    this.spec = spec;
    this.requested = requested;
    this.seq = seq;
    this.managedBy = managedBy;
    this.phase = phase;
  }

  public static NodeEntry of(DesiredNode desired) {
    NodeEntry node = new NodeEntry(desired.path(), desired.spec(), desired.requested(), desired.seq(), desired.managedBy(), Phase.PRESENT);
    node.declared = desired.declared();
    return node;
  }

  public DesiredNode desired() {
    return new DesiredNode(path, spec, requested, seq, managedBy, declared);
  }

  /** The state the node is in, as far as the Manager knows; CREATED if its host has not reported it. */
  public NodeState current() {
    return observed == null ? NodeState.CREATED : observed.state();
  }

  /** True if the host has seen the latest request (and, e.g. after a dead-man stop, still follows it). */
  public boolean hostHasLatestRequest() {
    return observed != null && observed.seq() == seq && observed.requested() == requested;
  }
}
