package io.shepherd.host.internal;

import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.protocol.LifecycleAction;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.MDC;

/**
 * Node code in flight, on a node thread: one task that may make an instance, then runs lifecycle
 * steps until done or stopped. No actor code: the task queues its reports and calls
 * {@code wake} only if its owner is not woken already, so that fast steps cost one wake-up in all,
 * and a slow step is reported as soon as it is done. The owner reads the reports with {@link #poll}.
 */
final class NodeTask {

  /** What the task reports, in order. */
  sealed interface Report {}

  /** The instance was made ({@code node}), or its constructor threw ({@code error}). */
  record Instantiated(Node node, Throwable error) implements Report {}

  /** A step returned ({@code keepalive}: the deadline a CONFIGURE asked for, else null), or threw ({@code error}). */
  record StepDone(LifecycleAction action, Duration keepalive, Throwable error) implements Report {}

  /** The task ran every step it was to run, or was stopped between two. */
  record Ended() implements Report {}

  /** Makes a new instance of the node; called on the node thread. */
  interface Instantiation {
    Node newInstance() throws Exception;
  }

  private final int incarnation;
  private final boolean instantiate;
  private final List<LifecycleAction> steps;
  private final Runnable wake;
  private final Queue<Report> reports = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean woken = new AtomicBoolean();
  private volatile boolean stop;
  private FutureTask<Void> task;
  private LifecycleAction running;

  /**
   * @param incarnation the incarnation of the node it works for
   * @param instantiate true to make a new instance first
   * @param wake tells the owner that reports are queued (called on the node thread)
   */
  NodeTask(int incarnation, boolean instantiate, List<LifecycleAction> steps, Runnable wake) {
    this.incarnation = incarnation;
    this.instantiate = instantiate;
    this.steps = List.copyOf(steps);
    this.wake = wake;
    this.running = steps.isEmpty() ? null : steps.get(0);
  }

  int incarnation() {
    return incarnation;
  }

  boolean instantiates() {
    return instantiate;
  }

  boolean hasSteps() {
    return !steps.isEmpty();
  }

  /** The step the node thread runs now, or next; null if none is left. */
  LifecycleAction running() {
    return running;
  }

  /** The owner handled the report of {@code done}: returns the step the node thread runs now, or null if none (or stopped). */
  LifecycleAction advancePast(LifecycleAction done) {
    int index = steps.indexOf(done);
    if (stop || index < 0 || index + 1 >= steps.size()) {
      return null;
    }
    running = steps.get(index + 1);
    return running;
  }

  /** Stops the task after the step in progress. */
  void stop() {
    stop = true;
  }

  /** Stops the task and interrupts its thread: the owner ignores its reports from now on. */
  void abandon() {
    stop = true;
    if (task != null) {
      task.cancel(true);
    }
  }

  /**
   * Starts the task on {@code executor}, with the node's path in the MDC.
   *
   * @param instance the instance to run the steps on, unless the task makes one
   */
  void start(Executor executor, String nodeTag, Node instance, RunningContext ctx, Instantiation instantiation) {
    task = new FutureTask<>(() -> {
      MDC.put(NodeContext.MDC_NODE, nodeTag);
      try {
        run(instance, ctx, instantiation);
      } finally {
        MDC.remove(NodeContext.MDC_NODE);
      }
      return null;
    });
    executor.execute(task);
  }

  /** The owner is reading the reports: a report queued from now on wakes it again. */
  void rearm() {
    woken.set(false);
  }

  /** The next report, or null. */
  Report poll() {
    return reports.poll();
  }

  private void report(Report report) {
    reports.add(report);
    if (woken.compareAndSet(false, true)) {
      wake.run();
    }
  }

  /** The body of the task, on the node thread: instance, then steps, each reported as it completes. */
  private void run(Node instance, RunningContext ctx, Instantiation instantiation) {
    Node target = instance;
    if (instantiate) {
      try {
        target = instantiation.newInstance();
      } catch (Throwable t) {
        report(new Instantiated(null, t));
        return;
      }
      report(new Instantiated(target, null));
    }
    for (LifecycleAction action : steps) {
      if (stop || Thread.currentThread().isInterrupted()) {
        break;
      }
      try {
        report(new StepDone(action, invoke(target, ctx, action), null));
      } catch (Throwable t) {
        report(new StepDone(action, null, t));
        return;
      }
    }
    report(new Ended());
  }

  private static Duration invoke(Node node, RunningContext ctx, LifecycleAction action) throws Exception {
    switch (action) {
      case CONFIGURE -> {
        node.configure(ctx, ctx.params());
        Duration deadline = node.keepaliveDeadline();
        return deadline == null || deadline.isNegative() ? Duration.ZERO : deadline;
      }
      case INITIALIZE -> node.initialize();
      case START -> {
        ctx.startAgain();
        node.start();
      }
      case STOP -> node.stop();
      case CLOSE -> node.close();
    }
    return null;
  }
}
