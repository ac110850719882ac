package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.Checkpoint;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.ManagerProtocol.Reply;
import io.shepherd.protocol.Mode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import io.shepherd.protocol.NodeStatus;
import java.util.List;

/**
 * A node at the Manager: what is desired of it (spec, requested state, its request number, mode
 * and manager, the target its site file declares), what its host last reported, and where it is
 * in its life at the Manager. Changed only through methods named for what happened; read by the
 * Manager's parts, which all run inside the Manager's message handling.
 */
public final class NodeEntry {

  private final NodePath path;
  /** Its group's path, made once: every walk over the registry asks for it, and making one checks both names again. */
  private final GroupPath groupPath;
  private NodeSpec spec;
  private NodeState requested;
  private long seq;
  private String managedBy;
  private String formerManager;
  private NodeState declared;
  private Checkpoint checkpoint;
  private final Life life;
  private NodeStatus observed;
  private int lastIncarnation;
  private String placementError;
  private final Resend resend = new Resend();
  /** What its host is asked for while its dependencies hold it (see {@link Dependencies}); null: its requested state. */
  private NodeState held;
  private String waitingFor;

  private NodeEntry(NodePath path, NodeSpec spec, NodeState requested, long seq, String managedBy, NodeState declared, Life life) {
    this.path = path;
    this.groupPath = path.groupPath();
    this.spec = spec;
    this.requested = requested;
    this.seq = seq;
    this.managedBy = managedBy;
    this.declared = declared;
    this.life = life;
  }

  /** A node a client asked for: being created on its host until the host reports it. */
  public static NodeEntry creating(NodePath path, NodeSpec spec, NodeState requested, ActorRef<Reply> replyTo, long now) {
    NodeEntry node = new NodeEntry(path, spec, requested, 1, null, null, Life.creating(replyTo, now));
    node.resend.sent(now);
    return node;
  }

  /** A node a site file declares with target {@code declared}: desired state at once. */
  public static NodeEntry declared(NodePath path, NodeSpec spec, NodeState requested, NodeState declared) {
    return new NodeEntry(path, spec, requested, 1, null, declared, Life.present());
  }

  /** A node of desired state, as a new Manager incarnation loads it. */
  public static NodeEntry of(DesiredNode desired) {
    NodeEntry node = new NodeEntry(desired.path(), desired.spec(), desired.requested(), desired.seq(), desired.managedBy(),
        desired.declared(), Life.present());
    node.formerManager = desired.formerManager();
    return node;
  }

  public DesiredNode desired() {
    return new DesiredNode(path, spec, requested, seq, managedBy, declared, formerManager);
  }

  public NodePath path() {
    return path;
  }

  public GroupPath groupPath() {
    return groupPath;
  }

  public NodeSpec spec() {
    return spec;
  }

  public NodeState requested() {
    return requested;
  }

  /** The number of its latest request; a host's status counts for a request from that number on. */
  public long seq() {
    return seq;
  }

  /** The client (or operator) that manages it in MANAGED mode, or null. */
  public String managedBy() {
    return managedBy;
  }

  /** The target its site file declares, or null if no site file declares it. */
  public NodeState declared() {
    return declared;
  }

  /** Its latest checkpoint, handed to it when it is created again; or null. */
  public Checkpoint checkpoint() {
    return checkpoint;
  }

  public Phase phase() {
    return life.phase();
  }

  /** The last status its host reported, or null if the host does not (or no longer) run it. */
  public NodeStatus observed() {
    return observed;
  }

  /** Why its host could not create it again, if it could not; null once it runs. */
  public String placementError() {
    return placementError;
  }

  /** The state it is in, as far as the Manager knows; CREATED if its host has not reported it. */
  public NodeState current() {
    return observed == null ? NodeState.CREATED : observed.state();
  }

  /** True if the host has seen the latest request (and, e.g. after a dead-man stop, still follows it). */
  public boolean hostHasLatestRequest() {
    return observed != null && observed.seq() == seq && observed.requested() == toHost();
  }

  /** What its host is asked for: its requested state, unless its dependencies (or dependents) hold it elsewhere for now. */
  public NodeState toHost() {
    return held == null ? requested : held;
  }

  /** What keeps it from its requested state (its dependencies, or dependents to stop first), or null. */
  public String waitingFor() {
    return waitingFor;
  }

  /** Its host is to be asked for {@code state} for now ({@code why}); its requested state if that is {@code state}. */
  void hold(NodeState state, String why) {
    held = state == requested ? null : state;
    waitingFor = held == null ? null : why;
  }

  // ---- desired state --------------------------------------------------------------------------------

  /** A new request: the node is to go to {@code target}; returns the request's number. */
  public long request(NodeState target) {
    requested = target;
    held = null;
    waitingFor = null;
    return ++seq;
  }

  /** Its site file now declares it with another spec: it is created again with it, requested {@code state}. */
  public void respecify(NodeSpec newSpec, NodeState newDeclared, NodeState state) {
    spec = newSpec;
    declared = newDeclared;
    requested = state;
    seq++;
  }

  /** Its site file now declares target {@code target}. */
  public void declare(NodeState target) {
    declared = target;
  }

  /** Its mode, and who manages it (null in AUTO mode); a manager that loses the node to another becomes its former manager. */
  public void setMode(Mode mode, String manager) {
    if (mode == Mode.MANAGED && managedBy != null && !managedBy.equals(manager)) {
      formerManager = managedBy;
    }
    spec = spec.withMode(mode);
    managedBy = manager;
  }

  /** True if {@code client} managed the node until another took it over, and has not taken it back. */
  public boolean lostBy(String client) {
    return client != null && client.equals(formerManager) && managedBy != null && !managedBy.equals(client);
  }

  public void checkpointed(Checkpoint latest) {
    checkpoint = latest;
  }

  // ---- observed state -------------------------------------------------------------------------------

  /** Its host reported {@code status}. */
  public void observe(NodeStatus status) {
    if (status.seq() > seq) {
      // The host followed a request this Manager never recorded (its predecessor failed before the
      // request was replicated, so no client was told it succeeded). Desired state wins: number the
      // desired request past the host's so that the host takes it.
      seq = status.seq() + 1;
    }
    observed = status;
    lastIncarnation = Math.max(lastIncarnation, status.incarnation());
    placementError = null;
  }

  /** The node's latest run any host reported, kept when the node is lost: where its next run counts on from. */
  public int lastIncarnation() {
    return lastIncarnation;
  }

  /** Its host no longer runs it (removed, gone with its group or its host's incarnation). */
  public void lost() {
    observed = null;
  }

  /** Its host could not create it again, for {@code why}. */
  public void rejected(String why) {
    observed = null;
    placementError = why;
  }

  // ---- life at the Manager --------------------------------------------------------------------------

  /** Its host created it and it is in desired state. */
  public void present() {
    life.toPresent();
  }

  /** Out of desired state, its host removing it; false if it already was. */
  public boolean startRemoval(ActorRef<Reply> replyTo) {
    return life.startRemoval(replyTo);
  }

  /** The callers waiting for its removal, taken. */
  public List<ActorRef<Reply>> takeRemoveReplies() {
    return life.takeRemoveReplies();
  }

  /** The caller waiting for its creation, taken (null if none is, or it was taken). */
  public ActorRef<Reply> takeCreateReply() {
    return life.takeCreateReply();
  }

  /** True if its creation has waited longer than {@code limitNanos} at {@code now}. */
  public boolean createOverdue(long now, long limitNanos) {
    return life.createOverdue(now, limitNanos);
  }

  /** When a command to its host was last sent, for resending. */
  public Resend resend() {
    return resend;
  }
}
