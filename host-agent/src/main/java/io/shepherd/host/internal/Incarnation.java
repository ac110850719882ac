package io.shepherd.host.internal;

import io.shepherd.host.internal.process.ProcessControl;
import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.LifecycleAction;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.NodeState;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.MDC;

/**
 * One incarnation of a node: its context, its instance once made, and the {@link NodeTask} running
 * the node's code on a node thread. A crash ends it — its late reports are ignored, a hung thread is
 * interrupted and abandoned — and the runner begins the next. Used inside the runner's message
 * handling only; the node's own code runs on node threads.
 */
final class Incarnation {

  private final int number;
  private final RunningContext context;
  private final Executor nodeThreads;
  private final Logger nodeLog;
  private final String tag;
  private Node node;
  private NodeTask work;

  /**
   * @param nodeThreads where the node's code runs ({@code shepherd.host.node-dispatcher})
   * @param tag the node's path, put in the MDC of its threads
   */
  Incarnation(int number, RunningContext context, Executor nodeThreads, Logger nodeLog, String tag) {
    this.number = number;
    this.context = context;
    this.nodeThreads = nodeThreads;
    this.nodeLog = nodeLog;
    this.tag = tag;
  }

  int number() {
    return number;
  }

  RunningContext context() {
    return context;
  }

  /** The task in flight, or null. */
  NodeTask work() {
    return work;
  }

  boolean hasInstance() {
    return node != null;
  }

  /** The process controls of the instance, if it runs an OS process. */
  Optional<ProcessControl> process() {
    return node == null ? Optional.empty() : ProcessControl.of(node);
  }

  /**
   * Starts a task on a node thread: a new instance from {@code factory} first if {@code instantiate},
   * then {@code steps} on the instance; {@code wake} is called when it has reports to read.
   */
  NodeTask start(boolean instantiate, List<LifecycleAction> steps, Runnable wake, NodeTask.Instantiation factory) {
    NodeTask task = new NodeTask(number, instantiate, steps, wake);
    work = task;
    task.start(nodeThreads, tag, node, context, factory);
    return task;
  }

  /** The task made the instance. */
  void instantiated(Node instance) {
    node = instance;
  }

  /** The task has run its course. */
  void taskEnded() {
    work = null;
  }

  /** Its lifecycle closed the instance: the incarnation is over without a crash. */
  void closed() {
    context.end();
    node = null;
  }

  /** Stops the task in flight: its reports are ignored from now on, and its thread is interrupted. */
  void abandonWork() {
    if (work != null) {
      work.abandon();
      work = null;
    }
  }

  /** Ends the incarnation: its reports are ignored from now on. Returns its instance, or null. */
  Node end() {
    context.end();
    Node old = node;
    node = null;
    return old;
  }

  /** Closes an ended instance on a node thread, best effort, unawaited. */
  void closeInBackground(Node old) {
    if (old != null) {
      onNodeThread(() -> {
        try {
          old.close();
        } catch (Throwable t) {
          nodeLog.warn("close() of the ended instance threw {}", NodeWork.describe(t));
        }
      });
    }
  }

  /** SIGKILL to the whole session of the instance's process, from a node thread; nothing if it runs none. */
  void killProcess() {
    process().ifPresent(control -> {
      nodeLog.warn("kill: SIGKILL to the whole session of the process");
      onNodeThread(control::kill);
    });
  }

  /**
   * Queues a line for the stdin of the instance's process.
   *
   * @param current the node's state, named in the refusal when it runs no process
   * @return empty if queued, else why not
   */
  Optional<ManagerProtocol.Failed> sendInput(String line, NodeSpec spec, NodeState current) {
    Optional<ProcessControl> control = process();
    if (control.isPresent()) {
      return control.get().sendInput(line);
    }
    return Optional.of(spec.forProcess()
        ? new ManagerProtocol.Failed(ErrorCode.INVALID_TRANSITION, "node " + tag + " runs no process to send input to; it is " + current)
        : new ManagerProtocol.Failed(ErrorCode.INVALID_ARGUMENT, "node " + tag + " is a Java node (" + spec.type()
            + "); only process nodes take input"));
  }

  /** Logs the crash of the node with its path in the MDC, as its own threads log. */
  void logCrash(String reason, Throwable cause) {
    MDC.put(NodeContext.MDC_NODE, tag);
    try {
      if (cause != null) {
        nodeLog.error("node crashed: {}", reason, cause);
      } else {
        nodeLog.error("node crashed: {}", reason);
      }
    } finally {
      MDC.remove(NodeContext.MDC_NODE);
    }
  }

  /** Runs node-side work on a node thread, with the node's path in the MDC; unawaited. */
  void onNodeThread(Runnable task) {
    nodeThreads.execute(() -> {
      MDC.put(NodeContext.MDC_NODE, tag);
      try {
        task.run();
      } finally {
        MDC.remove(NodeContext.MDC_NODE);
      }
    });
  }
}
