package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeStatus;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** A registered host agent, as the Manager sees it. Mutable; owned by the Manager actor. */
public final class HostEntry {

  /** UP, UNREACHABLE or DOWN, as reported in status. */
  public enum State { UP, UNREACHABLE, DOWN }

  public final String id;
  public ActorRef<HostProtocol.Command> ref;
  public HostInfo info;
  public State state = State.UP;
  /** True once a full snapshot has arrived; until then the Manager does not reconcile the host. */
  public boolean synced;
  /** The number the next event from the host must carry. */
  public long nextSeq;
  public long snapshotRequestedAt;

  // A snapshot being received in parts.
  int partsReceived;
  final Set<GroupPath> snapshotGroups = new HashSet<>();
  final Map<NodePath, NodeStatus> snapshotNodes = new HashMap<>();

  public HostEntry(String id, ActorRef<HostProtocol.Command> ref, HostInfo info) {
    this.id = id;
    this.ref = ref;
    this.info = info;
  }

  public String address() {
    return info.address();
  }

  public boolean up() {
    return state == State.UP;
  }

  /**
   * Adds one part of a snapshot.
   *
   * @return true once every part has arrived
   */
  boolean addSnapshotPart(int part, int parts, Iterable<GroupPath> groups, Iterable<NodeStatus> nodes) {
    if (part == 0) {
      partsReceived = 0;
      snapshotGroups.clear();
      snapshotNodes.clear();
    }
    partsReceived++;
    groups.forEach(snapshotGroups::add);
    nodes.forEach(n -> snapshotNodes.put(n.path(), n));
    return partsReceived == parts;
  }
}
