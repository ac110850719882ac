package io.shepherd.host.internal.process;

import io.shepherd.host.logs.NodeLogger;
import io.shepherd.node.Node;
import io.shepherd.node.NodeContext;
import io.shepherd.node.Params;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;

/**
 * A node that runs an OS process (type {@code process}): {@code start} spawns it in a session of
 * its own, {@code stop} sends SIGTERM to the whole session and SIGKILL after the spec's stop
 * grace. An exit that no stop asked for is a crash of the node, seen through the process's exit
 * future (no polling), and handled by the node's supervision like any other. Whatever is left of
 * the session when an incarnation ends is killed: no grandchild outlives its node.
 *
 * <p>stdout and stderr are read line by line into log records of the node (INFO and WARN). With
 * {@link ProcessSpec#stdin()} on, {@link #sendInput} queues lines for the process's stdin
 * ({@link ProcessStdio}).
 * Callbacks block (spawn, wait for exit); Shepherd runs them on node threads.
 */
public final class ProcessNode implements Node, ProcessControl {

  /** How often a stop that waits for the process looks again at when to send SIGKILL. */
  private static final long STOP_POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final NodePath path;
  private final NodeSpec nodeSpec;
  private final ProcessSpec spec;
  private final Path executable;
  private final ProcessHost host;
  private final Logger logger;
  private NodeContext context;
  private List<String> command;
  private Map<String, String> env;
  private volatile Process process;
  private volatile boolean stopping;
  private volatile String exit;
  private volatile OptionalInt endedByItself = OptionalInt.empty();
  private volatile ProcessStdio.Input input;
  private final ProcessChecks checks;
  /** The main process the program named with MAINPID, if not the one Shepherd started. */
  private volatile Long mainPid;
  /** While a stop waits for the process to end: when it sends SIGKILL (System.nanoTime()); EXTEND_TIMEOUT_USEC moves it. */
  private volatile long killAt;
  /** The cgroup of the current process and all it starts, where the host has cgroups. */
  private volatile Cgroups.Group group;
  /**
   * True if the process was born in its cgroup or entered it before it had a child, so every
   * process of its session is in the cgroup too (a child inherits it): stopping it then needs no
   * scan of every process for its session (~2 ms each here), the cgroup's list is the whole of it.
   */
  private volatile boolean sessionInGroup;

  /** @param probeExecutables the allowed path each command probe's executable resolved to */
  ProcessNode(NodePath path, NodeSpec nodeSpec, Path executable, Map<Probe, Path> probeExecutables, ProcessHost host) {
    this.path = path;
    this.nodeSpec = nodeSpec;
    this.spec = nodeSpec.process();
    this.executable = executable;
    this.host = host;
    this.logger = NodeLogger.of(path.toString());
    this.checks = new ProcessChecks(path.toString(), nodeSpec, probeExecutables, host, logger, this::mainPid, this::stopExtended);
  }

  @Override
  public void configure(NodeContext nodeContext, Params params) throws IOException {
    this.context = nodeContext;
    Set<String> names = new TreeSet<>(spec.portNames());
    names.addAll(checks.portNames());
    Map<String, Integer> ports = host.ports().portsOf(path.toString(), names);
    List<String> full = new ArrayList<>();
    full.add(executable.toString());
    spec.command().stream().skip(1).map(arg -> ProcessSpec.fillPorts(arg, ports)).forEach(full::add);
    command = List.copyOf(full);
    Map<String, String> environment = new LinkedHashMap<>(host.env().all());
    spec.env().forEach((name, value) -> environment.put(name, ProcessSpec.fillPorts(value, ports)));
    environment.put("SHEPHERD_NODE", path.toString());
    environment.put("SHEPHERD_HOST", host.hostId());
    ports.forEach((name, port) -> environment.put("SHEPHERD_PORT_" + name.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"),
        port.toString()));
    checks.configure(nodeContext, ports, environment);
    env = Map.copyOf(environment);
  }

  /** A notify liveness check is a keepalive deadline: the process's WATCHDOG=1 is its keepalive. */
  @Override
  public Duration keepaliveDeadline() {
    return checks.keepaliveDeadline();
  }

  @Override
  public void start() throws IOException {
    host.awaitReady();
    stopping = false;
    endedByItself = OptionalInt.empty();
    mainPid = null;
    Cgroups.Group contained = cgroup();
    if (contained != null) {
      host.ledger().guarded(contained.paths());
    }
    NativeSpawn.Spawned spawned;
    try {
      spawned = host.spawn(command, env, spec.workingDir(), spec.stdin(), contained);
    } catch (IOException | RuntimeException e) {
      if (contained != null) {
        host.ledger().unguarded(contained.paths());
        contained.remove();
      }
      throw e;
    }
    Process started = spawned.process();
    sessionInGroup = spawned.bornInGroup();
    group = contained;
    if (contained != null && !spawned.bornInGroup() && !contain(contained, started.pid())) {
      contained = null;
    }
    process = started;
    exit = "running";
    host.listen(started.pid(), contained, checks);
    host.ledger().started(started.pid(), path.toString(), contained == null ? List.of() : contained.paths());
    logger.info("started process {}: {}", started.pid(), String.join(" ", command));
    ProcessStdio.readOutput(started, path.toString(), logger, host.settings().process().maxLineLength());
    if (spec.stdin()) {
      input = new ProcessStdio.Input(started.getOutputStream(), path.toString(), host.settings().process().stdinQueue());
    }
    started.onExit().thenAccept(this::exited);
    checks.started(contained);
  }

  /**
   * A cgroup for the next process, if the host has cgroups. One that cannot be made is a failure of
   * the start if the node has limits (they would not hold); otherwise the process runs contained by
   * its session only, and the node's log says why.
   */
  private Cgroups.Group cgroup() throws IOException {
    try {
      return host.cgroups().create(path.toString(), spec.limits()).orElse(null);
    } catch (IOException e) {
      if (spec.limits() != null) {
        throw new IOException("the cgroup that holds the node's limits could not be made: " + e.getMessage(), e);
      }
      logger.warn("its process runs contained by its session only: its cgroup could not be made ({})", e.toString());
      return null;
    }
  }

  /**
   * Puts the new process in its cgroup where it could not be born in it ({@link Cgroups.Group#enter}:
   * cgroup v2, or no posix_spawn): right after it was spawned (the C library returns once the program is exec'd),
   * before a program of any size has got to forking. Returns false if it could not and the node has
   * no limits (it runs contained by its session only).
   */
  private boolean contain(Cgroups.Group contained, long pid) throws IOException {
    try {
      contained.add(pid);
      sessionInGroup = Sessions.childless(pid);
      return true;
    } catch (IOException e) {
      group = null;
      host.ledger().unguarded(contained.paths());
      if (spec.limits() == null) {
        contained.remove();
        logger.warn("process {} runs contained by its session only: it could not be put in its cgroup ({})", pid, e.toString());
        return false;
      }
      Sessions.signal(pid, true);
      contained.killAllQuietly();
      contained.remove();
      throw new IOException("process " + pid + " could not be put in the cgroup that holds its limits (so it was killed): "
          + e.getMessage(), e);
    }
  }

  /**
   * MAINPID=N: followed if N is in the node's session or its cgroup (as systemd), so that a program
   * that forks its daemon off, even one that calls setsid, keeps its node up.
   */
  private void mainPid(long pid) {
    Process running = process;
    Cgroups.Group contained = group;
    Optional<Sessions.Stat> stat = Sessions.stat(pid);
    boolean ours = running != null && stat.isPresent() && (stat.get().session() == running.pid()
        || contained != null && host.cgroups().groupOf(pid).filter(contained.name()::equals).isPresent());
    if (!ours) {
      logger.warn("ignored MAINPID={}: {}", pid, stat.isEmpty() ? "no such process" : "it is neither in the node's session nor in its "
          + "cgroup");
      return;
    }
    mainPid = pid == running.pid() ? null : pid;
    logger.info("main process is now {} (MAINPID)", pid);
  }

  /** EXTEND_TIMEOUT_USEC while stopping: SIGKILL comes {@code more} from now, if that is later (as systemd's stop timeout). */
  private void stopExtended(Duration more) {
    long at = System.nanoTime() + more.toNanos();
    if (stopping && at > killAt) {
      killAt = at;
      logger.info("asks for {} ms more to stop (EXTEND_TIMEOUT_USEC)", more.toMillis());
      context.extendStopTimeout(more);
    }
  }

  /** Stop: SIGTERM to the session, SIGKILL after the grace (or what the process asks for); returns once it is gone. */
  @Override
  public void stop() throws InterruptedException {
    end(spec.stopGrace());
  }

  /** Ends what is left of this incarnation's process, at once; called when the instance is discarded. */
  @Override
  public void close() throws InterruptedException {
    end(Duration.ZERO);
  }

  /** The Architect's {@code kill}: SIGKILL to the whole session at once, as a requested exit. */
  @Override
  public void kill() {
    Process running = process;
    if (running != null) {
      stopping = true;
      Cgroups.Group contained = group;
      if (bySession(contained)) {
        Sessions.signal(running.pid(), true);
      }
      if (contained != null) {
        contained.signal(true);
      }
    }
  }

  /**
   * Queues a line for the process's stdin; never blocks.
   *
   * @return empty if queued, else why not: stdin is off, the process does not run, or it does not
   *     read and the queue is full
   */
  @Override
  public Optional<ManagerProtocol.Failed> sendInput(String line) {
    if (!spec.stdin()) {
      return refuse(ErrorCode.INVALID_ARGUMENT, "the stdin of node " + path + " is closed; create the node with stdin on to send it input");
    }
    Process running = process;
    ProcessStdio.Input queue = input;
    if (running == null || !running.isAlive() || queue == null) {
      return refuse(ErrorCode.INVALID_TRANSITION, "node " + path + " runs no process to send input to");
    }
    if (!queue.offer(line)) {
      return refuse(ErrorCode.BUSY, "the stdin of node " + path + " is full: the process has not read the last "
          + host.settings().process().stdinQueue() + " lines");
    }
    return Optional.empty();
  }

  private static Optional<ManagerProtocol.Failed> refuse(ErrorCode code, String message) {
    return Optional.of(new ManagerProtocol.Failed(code, message));
  }

  @Override
  public Long pid() {
    Process running = process;
    Long main = mainPid;
    if (running != null && main != null && (!running.isAlive() || ProcessHandle.of(main).map(ProcessHandle::isAlive).orElse(false))) {
      return main;
    }
    return running != null && running.isAlive() ? running.pid() : null;
  }

  @Override
  public String exit() {
    return exit;
  }

  @Override
  public OptionalInt endedByItself() {
    return endedByItself;
  }

  private void exited(Process ended) {
    if (ended != process) {
      return; // an earlier process of this instance, already accounted for by the stop that ended it
    }
    Long main = mainPid;
    Optional<ProcessHandle> follow = main == null || stopping ? Optional.empty() : ProcessHandle.of(main).filter(ProcessHandle::isAlive);
    if (follow.isPresent()) {
      logger.info("process {} exited ({}); the node follows its main process {} (MAINPID)", ended.pid(), describe(ended.exitValue()), main);
      follow.get().onExit().thenAccept(gone -> mainExited(ended, gone.pid()));
      return;
    }
    checks.stop();
    host.stopListening(ended.pid(), group);
    exit = describe(ended.exitValue());
    closeInput();
    if (!stopping) {
      endedByItself = OptionalInt.of(ended.exitValue());
      // A signal nobody in Shepherd sent (kill, the OOM killer) is not the program ending by itself.
      boolean oom = checks.oomKilled();
      String how = oom ? "was killed by the kernel's OOM killer (memory limit " + spec.limits().memory() + " bytes)"
          : exit.startsWith("signal") ? "was killed by " + exit + ", not by Shepherd" : "exited by itself (" + exit + ")";
      if (ended.exitValue() == 0) {
        logger.info("process {} {}", ended.pid(), how);
      } else {
        logger.warn("process {} {}", ended.pid(), how);
      }
      context.fail((oom ? "oom: process " : "process ") + ended.pid() + " " + how, null);
    }
  }

  /** The main process named with MAINPID ended: its exit value is not Shepherd's to know, so any end of it is a crash. */
  private void mainExited(Process leader, long main) {
    if (leader != process || stopping) {
      return;
    }
    checks.stop();
    host.stopListening(leader.pid(), group);
    exit = "main process " + main + " ended";
    closeInput();
    logger.warn("main process {} (MAINPID) ended", main);
    context.fail("main process " + main + " (MAINPID) ended", null);
  }

  /** Whether a stop must look for the session's processes beyond {@code contained}: none, or one the process entered late. */
  private boolean bySession(Cgroups.Group contained) {
    return contained == null || !sessionInGroup;
  }

  private void end(Duration grace) throws InterruptedException {
    Process running = process;
    if (running == null) {
      return;
    }
    long termAt = System.nanoTime();
    killAt = termAt + grace.toNanos();
    stopping = true;
    checks.stop(); // what the process sends is still heard: EXTEND_TIMEOUT_USEC moves killAt
    long sid = running.pid();
    Cgroups.Group contained = group;
    boolean bySession = bySession(contained);
    // SIGTERM to the session and to whatever left it but not its cgroup (systemd's KillMode=control-group).
    if (!grace.isZero() && (bySession ? Sessions.signal(sid, false) + (contained == null ? 0 : contained.signal(false, sid))
        : contained.signal(false)) > 0) {
      for (long left = killAt - System.nanoTime(); left > 0; left = killAt - System.nanoTime()) {
        if (running.isAlive()) {
          running.waitFor(Math.min(left, STOP_POLL_NANOS), TimeUnit.NANOSECONDS);
        } else if (bySession && Sessions.alive(sid) || contained != null && contained.alive()) {
          TimeUnit.MILLISECONDS.sleep(10);
        } else {
          break;
        }
      }
    }
    host.stopListening(sid, contained);
    if (bySession && Sessions.alive(sid) || running.isAlive() || contained != null && contained.alive()) {
      if (!grace.isZero()) {
        logger.warn("process {} did not end within {} ms of SIGTERM; sending SIGKILL to its session{}", sid,
            TimeUnit.NANOSECONDS.toMillis(killAt - termAt), contained == null ? "" : " and its cgroup");
      }
      if (bySession) {
        Sessions.signal(sid, true);
      }
      if (contained != null) {
        contained.killAll();
      }
      running.waitFor(5, TimeUnit.SECONDS);
      for (int i = 0; i < 500 && bySession && Sessions.alive(sid); i++) {
        TimeUnit.MILLISECONDS.sleep(10);
      }
    }
    if (contained != null) {
      contained.remove();
      group = null;
    }
    exit = describe(running.exitValue());
    closeInput();
    host.ledger().ended(sid);
    process = null;
  }

  private void closeInput() {
    ProcessStdio.Input queue = input;
    input = null;
    if (queue != null) {
      queue.close();
    }
  }

  /** Java reports a process ended by signal N as exit value 128 + N. */
  static String describe(int exitValue) {
    return exitValue > 128 && exitValue <= 128 + 64 ? "signal " + (exitValue - 128) : "exit " + exitValue;
  }
}
