package io.shepherd.host.internal.process;

import io.shepherd.host.HostSettings;
import io.shepherd.host.NodeTypeException;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.NodePath;
import io.shepherd.protocol.ProcessSpec;
import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.util.ArrayList;
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

  public ProcessHost(HostSettings settings) {
    this.settings = settings;
    this.allowList = new ExecutableAllowList(settings.process().allowed());
    this.ledger = new ProcessLedger(settings.workDir());
    this.ports = new PortRegistry(bindAddress(settings.process().bindAddress()));
    this.env = new HostEnv(settings.workDir());
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
  public ProcessNode newNode(NodePath path, ProcessSpec spec) throws NodeTypeException {
    return new ProcessNode(path, spec, check(spec), this);
  }

  /**
   * Starts {@code command} (an allowed executable's path, then its arguments) in a session of its
   * own, with this JVM's environment and {@code environment} over it. Blocking: node threads only.
   *
   * @param workingDir the process's working directory, or null for this JVM's
   * @param stdin true for a pipe to the process's stdin, false for {@code /dev/null}
   */
  Process spawn(List<String> command, Map<String, String> environment, String workingDir, boolean stdin) throws IOException {
    Optional<NativeSpawn> direct = nativeSpawn;
    if (direct.isPresent()) {
      return direct.get().spawn(command, environment, workingDir, stdin);
    }
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
    return builder.start();
  }

  /** Ends the watchdog; call once every node has stopped. */
  @Override
  public void close() {
    ledger.close();
  }
}
