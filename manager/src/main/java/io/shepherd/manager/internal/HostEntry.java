package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeStatus;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A registered host agent, as the Manager sees it: its incarnation (actor and info), whether it is
 * up, and where its numbered events stand. Commands reach it only through {@link HostLink}.
 */
public final class HostEntry {

  /** UP, UNREACHABLE or DOWN, as reported in status. */
  public enum State { UP, UNREACHABLE, DOWN }

  /** How an event from the host fits its numbering. */
  public enum Numbering { IN_ORDER, OLD, AFTER_A_GAP }

  /** A complete snapshot: the groups and nodes the host runs. */
  public record Snapshot(Set<GroupPath> groups, Map<NodePath, NodeStatus> nodes) {}

  private final String id;
  private ActorRef<HostProtocol.Command> ref;
  /** The log levels set on it at run time, as it last reported them. */
  private Map<String, String> logLevels = Map.of();
  private HostInfo info;
  private State state = State.UP;
  private Instant downSince;
  private boolean synced;
  /** The last reconciliation had more to send than the window of commands in flight allowed. */
  private boolean backlog;
  /** Commands answered since the last reconciliation. */
  private int answers;
  private long nextSeq;
  private long snapshotRequestedAt;
  private int partsReceived;
  private final Set<GroupPath> snapshotGroups = new HashSet<>();
  private final Map<NodePath, NodeStatus> snapshotNodes = new HashMap<>();

  public HostEntry(String id, ActorRef<HostProtocol.Command> ref, HostInfo info) {
    this.id = id;
    this.ref = ref;
    this.info = info;
  }

  public String id() {
    return id;
  }

  public HostInfo info() {
    return info;
  }

  public String address() {
    return info.address();
  }

  public State state() {
    return state;
  }

  public boolean up() {
    return state == State.UP;
  }

  /** True if {@code host} is the actor of this host's current incarnation. */
  public boolean isIncarnation(ActorRef<HostProtocol.Command> host) {
    return ref.equals(host);
  }

  /** The log levels set on it at run time (target to level), as it last reported them. */
  public Map<String, String> logLevels() {
    return logLevels;
  }

  /** It reported the log levels set on it at run time. */
  public void logLevels(Map<String, String> levels) {
    logLevels = Map.copyOf(levels);
  }

  ActorRef<HostProtocol.Command> ref() {
    return ref;
  }

  /** A new incarnation of the host agent registered: what the old one ran is gone with it. */
  public void reincarnated(ActorRef<HostProtocol.Command> newRef, HostInfo newInfo) {
    ref = newRef;
    info = newInfo;
    synced = false;
  }

  /** The same incarnation registered again, perhaps with new info. */
  public void registeredAgain(HostInfo newInfo) {
    info = newInfo;
  }

  /** Registered (again): up, and a snapshot is on its way from {@code now}. */
  public void registered(long now) {
    state = State.UP;
    snapshotRequestedAt = now;
  }

  public void unreachable() {
    state = State.UNREACHABLE;
  }

  public void reachable() {
    state = State.UP;
  }

  /** Down since {@code at}: its nodes are LOST until it registers again. */
  public void down(Instant at) {
    state = State.DOWN;
    downSince = at;
    synced = false;
  }

  /** When the host went down; null while it is not. */
  public Instant downSince() {
    return state == State.DOWN ? downSince : null;
  }

  // ---- numbered events and snapshots ---------------------------------------------------------------

  /** True once a full snapshot has arrived; until then the Manager does not reconcile the host. */
  public boolean synced() {
    return synced;
  }

  public boolean backlog() {
    return backlog;
  }

  /** A reconciliation: {@code more} if it had more to send than the window allowed. */
  public void reconciled(boolean more) {
    backlog = more;
    answers = 0;
  }

  /** A command to this host was answered. */
  public void answered() {
    answers++;
  }

  /** Commands answered since the last reconciliation. */
  public int answers() {
    return answers;
  }

  /** A snapshot was asked for at {@code now}; events do not count until it arrives. */
  public void snapshotRequested(long now) {
    synced = false;
    snapshotRequestedAt = now;
  }

  /** True if a snapshot has been awaited longer than {@code limitNanos} at {@code now}. */
  public boolean snapshotOverdue(long now, long limitNanos) {
    return now - snapshotRequestedAt > limitNanos;
  }

  /** Where event {@code seq} falls in the host's numbering; an event in order or after a gap moves it on. */
  public Numbering number(long seq) {
    if (!synced) {
      return Numbering.IN_ORDER;
    }
    if (seq < nextSeq) {
      return Numbering.OLD;
    }
    Numbering numbering = seq > nextSeq ? Numbering.AFTER_A_GAP : Numbering.IN_ORDER;
    nextSeq = seq + 1;
    return numbering;
  }

  /** The event number the next event must carry. */
  public long nextSeq() {
    return nextSeq;
  }

  /**
   * Adds one part of a snapshot.
   *
   * @return the snapshot once every part has arrived (the host is then synced at {@code seq}), else null
   */
  public Snapshot addSnapshotPart(int part, int parts, Iterable<GroupPath> groups, Iterable<NodeStatus> nodes, long seq) {
    if (part == 0) {
      partsReceived = 0;
      snapshotGroups.clear();
      snapshotNodes.clear();
    }
    partsReceived++;
    groups.forEach(snapshotGroups::add);
    nodes.forEach(n -> snapshotNodes.put(n.path(), n));
    if (partsReceived != parts) {
      return null;
    }
    Snapshot complete = new Snapshot(Set.copyOf(snapshotGroups), Map.copyOf(snapshotNodes));
    snapshotGroups.clear();
    snapshotNodes.clear();
    synced = true;
    nextSeq = seq + 1;
    return complete;
  }
}
