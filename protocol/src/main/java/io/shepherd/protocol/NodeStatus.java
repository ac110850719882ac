package io.shepherd.protocol;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * What a host observes of one node; the Manager reports it in status (with {@code LOST} as the
 * state when the host is gone).
 *
 * @param path the node's path
 * @param host the id of the host the node runs on
 * @param type the node type
 * @param state the current state
 * @param requested the requested state
 * @param mode AUTO or MANAGED
 * @param stalled true if a MANAGED node crashed and holds until a new request or a revive
 * @param restarts how many times the node was restarted after a crash
 * @param lastFailure the reason of the last crash, or null
 * @param lastFailureAt when the last crash happened, or null
 * @param stability the share of the recent window the node spent in its requested state, 0 to 1
 * @param managedBy the client that took the node in MANAGED mode, or null
 * @param pid the process id of a process node's process while it runs, or null
 * @param exit for a process node: "running", "exit N" or "signal N"; "lost with its host" for any node
 *     whose host is gone (LOST, and then no pid); otherwise null
 * @param since when the node entered its current state
 * @param seq the sequence number of the request the node is working on
 * @param incarnation the node's current run, counted from 1 and on across restarts, host restarts
 *     and moves to another host (0: none yet)
 * @param nextAction what Shepherd will do next with it (OCS's next_action): see {@link NextAction}
 * @param finished true when the node's process ended by itself and its {@link Autorestart} policy
 *     keeps it so (STOPPED, not restarted): the Manager then makes STOPPED its requested state
 * @param agentClass what runs (OCS's {@code agent_class}): the Java class of the node's instance,
 *     or the executable of a process node; null before a Java node's first instance
 * @param statusText what the node last said of itself (systemd's {@code STATUS=}, or
 *     {@code NodeContext.status}), or null
 * @param waitingFor what keeps the node from its requested state, e.g. {@code waiting for
 *     daq1/readout/digitizer: STARTING} (its dependencies, or its dependents to stop first); null if nothing
 */
public record NodeStatus(
    NodePath path,
    String host,
    String type,
    NodeState state,
    NodeState requested,
    Mode mode,
    boolean stalled,
    int restarts,
    String lastFailure,
    Instant lastFailureAt,
    double stability,
    String managedBy,
    Long pid,
    String exit,
    Instant since,
    long seq,
    int incarnation,
    String nextAction,
    boolean finished,
    String agentClass,
    String statusText,
    String waitingFor)
    implements CborSerializable {

  /** The canonical constructor is the one JSON and CBOR use. */
  @JsonCreator
  public NodeStatus {}

  /** The status of a node that is not finished, its class not given. */
  public NodeStatus(NodePath path, String host, String type, NodeState state, NodeState requested, Mode mode, boolean stalled,
                    int restarts, String lastFailure, Instant lastFailureAt, double stability, String managedBy, Long pid, String exit,
                    Instant since, long seq, int incarnation, String nextAction) {
    this(path, host, type, state, requested, mode, stalled, restarts, lastFailure, lastFailureAt, stability, managedBy, pid, exit,
        since, seq, incarnation, nextAction, false, null, null, null);
  }

  /** The status of a node that said nothing of itself. */
  public NodeStatus(NodePath path, String host, String type, NodeState state, NodeState requested, Mode mode, boolean stalled,
                    int restarts, String lastFailure, Instant lastFailureAt, double stability, String managedBy, Long pid, String exit,
                    Instant since, long seq, int incarnation, String nextAction, boolean finished, String agentClass) {
    this(path, host, type, state, requested, mode, stalled, restarts, lastFailure, lastFailureAt, stability, managedBy, pid, exit,
        since, seq, incarnation, nextAction, finished, agentClass, null, null);
  }

  /** This status with what keeps the node waiting (the Manager's word: a host does not know the other nodes). */
  public NodeStatus withWaitingFor(String why) {
    return new NodeStatus(path, host, type, state, requested, mode, stalled, restarts, lastFailure, lastFailureAt, stability, managedBy,
        pid, exit, since, seq, incarnation, nextAction, finished, agentClass, statusText, why);
  }

  /** True when the node is in its requested state (Guardian's {@code arrived}). */
  @JsonProperty(value = "arrived", access = JsonProperty.Access.READ_ONLY)
  public boolean arrived() {
    return state == requested;
  }
}
