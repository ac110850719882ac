package io.shepherd.host.internal.process;

import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypeException;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the process nodes of one host share: the executable allow-list, the record of running
 * sessions, reserved ports and the host environment. Made once per host agent; {@link #start}
 * (on a blocking thread) ends what an earlier incarnation left running before any process node
 * starts.
 */
public final class ProcessHost implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(ProcessHost.class);

  private final HostSettings settings;
  private final ExecutableAllowList allowList;
  private final ProcessLedger ledger;
  private final PortRegistry ports;
  private final HostEnv env;
  private volatile String setsid;
  /** The C library's spawn into a new session, when shepherd.host.process.launcher is posix-spawn and it loads. */
  private volatile Optional<NativeSpawn> nativeSpawn = Optional.empty();
  /** Executables resolved and allowed, by name and PATH: a restart after a crash need not look again. */
  private final Map<String, Path> resolved = new ConcurrentHashMap<>();
  /** Why process nodes cannot run here, if they cannot. */
  private volatile String unusable;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  private final AtomicBoolean started = new AtomicBoolean();
  /** The host's notify socket, once open; null if it cannot be (then {@link #notifyUnusable} says why). */
  private volatile NotifySocket notifySocket;
  private volatile String notifyUnusable = "the notify socket is not open yet";
  /** Who speaks for each session: the process node whose process leads it. */
  private final Map<Long, NotifyListener> listeners = new ConcurrentHashMap<>();
  /** The same listeners by their node's cgroup, for processes that left the session (a daemon that called setsid). */
  private final Map<String, NotifyListener> groupListeners = new ConcurrentHashMap<>();
  private final Probes probes = new Probes(InetAddress.getLoopbackAddress());
  /** Where each process node's processes are contained (found at once; made ready by {@link #start}). */
  private volatile Cgroups cgroups;

  /** A process node, told what its session said over the notify socket. */
  interface NotifyListener {
    void notified(long senderPid, NotifyMessage message);
  }

  public ProcessHost(HostSettings settings) {
    this(settings, settings.process().cgroups() ? Cgroups.detect(settings.hostId()) : Cgroups.none("shepherd.host.process.cgroups = off"));
  }

  /** With the cgroups found in a given mounts text (a test's). */
  ProcessHost(HostSettings settings, Cgroups cgroups) {
    this.settings = settings;
    this.allowList = new ExecutableAllowList(settings.process().allowed());
    this.ledger = new ProcessLedger(settings.workDir());
    this.ports = new PortRegistry(bindAddress(settings.process().bindAddress()));
    this.env = new HostEnv(settings.workDir());
    this.cgroups = cgroups;
  }

  private static InetAddress bindAddress(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return InetAddress.getLoopbackAddress();
    }
  }

  /**
   * Ends the processes an earlier incarnation of this host agent left, on {@code executor}; then
   * process nodes may start. Without a call, the first process node to start does it.
   */
  public CompletableFuture<Void> start(Executor executor) {
    if (!started.compareAndSet(false, true)) {
      return ready;
    }
    CompletableFuture.runAsync(() -> {
      setsid = Sessions.setsid().orElse(null);
      if (settings.process().launcher().equals("posix-spawn")) {
        nativeSpawn = NativeSpawn.load();
      }
      env.load();
      cgroups = cgroups.prepare();
      openNotifySocket();
      List<String> ended = ledger.start();
      if (!ended.isEmpty()) {
        log.warn("ended {} process sessions that the previous run of host agent {} left running: {}",
            ended.size(), settings.hostId(), String.join("; ", ended));
      }
    }, executor).whenComplete((done, error) -> {
      if (error != null) {
        Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
        unusable = "host " + settings.hostId() + " cannot run process nodes: " + cause.getMessage();
        log.error(unusable);
      }
      ready.complete(null);
    });
    return ready;
  }

  /** Blocks until {@link #start} has done its work: call it from node threads only. */
  void awaitReady() {
    start(Runnable::run);
    ready.join();
  }

  private void openNotifySocket() {
    try {
      notifySocket = NotifySocket.open(settings.workDir().resolve("notify.sock"), this::received);
      notifyUnusable = null;
    } catch (IOException | RuntimeException e) {
      notifyUnusable = "host " + hostId() + " cannot take the notify protocol: " + e.getMessage();
      log.info(notifyUnusable);
    }
  }

  /**
   * A datagram from {@code pid}: handed to the node whose session the sender is in, or whose cgroup
   * (as systemd knows a unit's processes); anyone else is not heard.
   */
  private void received(long pid, byte[] datagram) {
    Optional<Sessions.Stat> sender = Sessions.stat(pid);
    NotifyListener listener = sender.map(stat -> listeners.get(stat.session())).orElse(null);
    if (listener == null && sender.isPresent()) {
      listener = cgroups.groupOf(pid).map(groupListeners::get).orElse(null);
    }
    if (listener == null) {
      log.warn("ignored a notify datagram from pid {}: {}", pid, sender.isEmpty() ? "it was gone before it could be identified"
          : "it belongs to no process node of this host (session " + sender.get().session() + ", in no node's cgroup)");
      return;
    }
    Optional<NotifyMessage> message = NotifyMessage.parse(datagram);
    if (message.isEmpty()) {
      log.warn("ignored a notify datagram of {} bytes from pid {}: not UTF-8 text, or it holds a NUL", datagram.length, pid);
      return;
    }
    listener.notified(pid, message.get());
  }

  /** The value of {@code NOTIFY_SOCKET} for nodes that speak the notify protocol, or null if this host cannot take it. */
  String notifyAddress() {
    NotifySocket socket = notifySocket;
    return socket == null ? null : socket.address();
  }

  /** From now on, what session {@code sid}, or cgroup {@code group} if not null, sends over the notify socket goes to {@code listener}. */
  void listen(long sid, Cgroups.Group group, NotifyListener listener) {
    listeners.put(sid, listener);
    if (group != null) {
      groupListeners.put(group.name(), listener);
    }
  }

  /** Session {@code sid}, and cgroup {@code group} if not null, are no longer heard. */
  void stopListening(long sid, Cgroups.Group group) {
    listeners.remove(sid);
    if (group != null) {
      groupListeners.remove(group.name());
    }
  }

  Probes probes() {
    return probes;
  }

  Cgroups cgroups() {
    return cgroups;
  }

  /** How this host contains processes, for its status: {@code cgroup v1: pids, memory, cpu}, or {@code none: why}. */
  public String containment() {
    return cgroups.describe();
  }

  public HostSettings settings() {
    return settings;
  }

  public String hostId() {
    return settings.hostId();
  }

  public PortRegistry ports() {
    return ports;
  }

  public HostEnv env() {
    return env;
  }

  ProcessLedger ledger() {
    return ledger;
  }

  public List<String> allowedExecutables() {
    return allowList.patterns();
  }

  /**
   * Checks that a process spec can run here: processes can be started in a session of their own
   * (posix_spawn, or the setsid program) and the executable is allowed.
   *
   * @return the path to run
   * @throws NodeTypeException NOT_ALLOWED or INVALID_ARGUMENT, saying why
   */
  public Path check(ProcessSpec spec) throws NodeTypeException {
    awaitReady();
    if (unusable != null) {
      throw new NodeTypeException(ErrorCode.NOT_ALLOWED, unusable);
    }
    if (setsid == null && nativeSpawn.isEmpty()) {
      throw new NodeTypeException(ErrorCode.NOT_ALLOWED, "host " + hostId() + " cannot run process nodes: setsid (util-linux) "
          + "is not installed");
    }
    String path = spec.env().getOrDefault("PATH", env.get("PATH").orElse(System.getenv("PATH")));
    String key = spec.command().get(0) + '\0' + path;
    Path known = resolved.get(key);
    if (known != null) {
      return known;
    }
    Path executable = allowList.resolve(spec.command().get(0), path, hostId());
    if (resolved.size() < 10_000) {
      resolved.put(key, executable);
    }
    return executable;
  }

  /** A process node for {@code spec}, or the reason it may not run here. */
  public ProcessNode newNode(NodePath path, NodeSpec spec) throws NodeTypeException {
    Path executable = check(spec.process());
    boolean notify = spec.readiness().type() == Probe.Type.NOTIFY || spec.liveness().type() == Probe.Type.NOTIFY;
    if (notify && notifyAddress() == null) {
      throw new NodeTypeException(ErrorCode.NOT_ALLOWED, notifyUnusable);
    }
    ProcessSpec.Limits limits = spec.process().limits();
    if (limits != null) {
      for (String controller : List.of("memory", "cpu", "pids")) {
        boolean wanted = controller.equals("memory") ? limits.memory() != null : controller.equals("cpu") ? limits.cpu() != null
            : limits.pids() != null;
        if (wanted && !cgroups.limits(controller)) {
          throw new NodeTypeException(ErrorCode.NOT_ALLOWED, "host " + hostId() + " cannot limit " + controller + " (" + cgroups.describe()
              + "); remove the limit or run the node on a host with cgroups");
        }
      }
    }
    Map<Probe, Path> probeExecutables = new HashMap<>();
    for (Probe probe : List.of(spec.readiness(), spec.liveness())) {
      if (probe.type() == Probe.Type.COMMAND) {
        probeExecutables.put(probe, check(spec.process().withCommandOf(probe.command())));
      }
    }
    return new ProcessNode(path, spec, executable, Map.copyOf(probeExecutables), this);
  }

  /**
   * Starts {@code command} (an allowed executable's path, then its arguments) in a session of its
   * own, with this JVM's environment and {@code environment} over it. Blocking: node threads only.
   *
   * @param workingDir the process's working directory, or null for this JVM's
   * @param stdin true for a pipe to the process's stdin, false for {@code /dev/null}
   * @param group the cgroup to start it in where it can be (posix_spawn on cgroup v1), or null;
   *     {@link NativeSpawn.Spawned#bornInGroup()} says if it was
   */
  NativeSpawn.Spawned spawn(List<String> command, Map<String, String> environment, String workingDir, boolean stdin, Cgroups.Group group)
      throws IOException {
    Optional<NativeSpawn> direct = nativeSpawn;
    if (direct.isPresent()) {
      return direct.get().spawn(command, environment, workingDir, stdin, true, group);
    }
    // Not born in its cgroup: the JDK may make a thread of this JVM (its process reaper) in the call.
    return new NativeSpawn.Spawned(throughSetsid(command, environment, workingDir, stdin, true), false);
  }

  /**
   * Starts a node's helper command (a command probe) as the node's process is started: in a
   * session of its own, recorded in the ledger, so that it never outlives the host agent (a hung
   * probe's command included); its output is discarded. Once it has exited, whatever it left in its
   * process group is killed (one call: a scan of every process for its session would cost a
   * millisecond or more at every probe) and its record ends. Blocking: not on an actor's thread.
   *
   * @param command an allowed executable's path, then its arguments
   */
  Process startHelper(String node, List<String> command, Map<String, String> environment, String workingDir) throws IOException {
    Optional<NativeSpawn> direct = nativeSpawn;
    Process process = direct.isPresent() ? direct.get().spawn(command, environment, workingDir, false, false, null).process()
        : throughSetsid(command, environment, workingDir, false, false);
    long sid = process.pid();
    ledger.started(sid, node + " (its probe " + command.get(0) + ")", List.of());
    process.onExit().thenRun(() -> {
      if (direct.isPresent()) {
        direct.get().killGroup(sid);
      } else {
        Sessions.signal(sid, true);
      }
      ledger.ended(sid);
    });
    return process;
  }

  /** The JDK's way, where the C library cannot start a process in a session: through the setsid program. */
  private Process throughSetsid(List<String> command, Map<String, String> environment, String workingDir, boolean stdin, boolean output)
      throws IOException {
    List<String> full = new ArrayList<>();
    full.add(setsid);
    full.addAll(command);
    ProcessBuilder builder = new ProcessBuilder(full);
    builder.environment().putAll(environment);
    if (workingDir != null) {
      builder.directory(new File(workingDir));
    }
    if (!stdin) {
      builder.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    }
    if (!output) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
    }
    return builder.start();
  }

  /** Ends the watchdog; call once every node has stopped. */
  @Override
  public void close() {
    NotifySocket socket = notifySocket;
    if (socket != null) {
      socket.close();
    }
    probes.close();
    ledger.close();
    cgroups.close();
  }
}
