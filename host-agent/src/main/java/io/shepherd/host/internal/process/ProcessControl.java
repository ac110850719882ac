package io.shepherd.host.internal.process;

import io.shepherd.node.Node;
import io.shepherd.protocol.ManagerProtocol;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What a node that runs an OS process offers its runner besides the lifecycle: the Architect
 * node's controls, and what status shows of the process. A runner asks a node for it with
 * {@link #of}; Java nodes do not offer it.
 */
public interface ProcessControl {

  /** The capability, if the node offers it. */
  static Optional<ProcessControl> of(Node node) {
    return node instanceof ProcessControl control ? Optional.of(control) : Optional.empty();
  }

  /** SIGKILL to the whole session at once, as a requested exit. */
  void kill();

  /**
   * Queues a line for the process's stdin; never blocks.
   *
   * @return empty if queued, else why not
   */
  Optional<ManagerProtocol.Failed> sendInput(String line);

  /** The pid of the process while it runs, else null. */
  Long pid();

  /** "running", "exit N" or "signal N"; null before the first start. */
  String exit();

  /** The exit value of a process that ended by itself, no stop or kill of Shepherd's asked for it (128 + N for signal N); else empty. */
  OptionalInt endedByItself();
}
