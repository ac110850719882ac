package io.shepherd.host.internal.process;

import io.shepherd.node.NodeContext;
import io.shepherd.protocol.NodeSpec;
import io.shepherd.protocol.Probe;
import io.shepherd.protocol.ProcessSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.slf4j.Logger;

/**
 * What a process node learns of its process besides its exit: readiness and liveness (systemd's
 * notify protocol, tcp, http and command probes) and OOM kills in its cgroup. Each finding goes to
 * the node's context: {@code ready()}, a keepalive, a status text, or a crash ({@code
 * liveness-failed}, {@code deadlock-detected}, {@code oom}). One per process node; its probes run
 * on the host's probe scheduler, its notifications arrive on the host's notify thread.
 */
final class ProcessChecks implements ProcessHost.NotifyListener {

  private final String path;
  private final NodeSpec spec;
  private final Map<Probe, Path> executables;
  private final ProcessHost host;
  private final Logger logger;
  private final LongConsumer mainPid;
  private final Consumer<Duration> stopExtended;
  private NodeContext context;
  private Map<String, Integer> ports;
  private Map<String, String> env;
  /** The probe loops of the current process (readiness, then liveness), if any. */
  private volatile ProbeLoop readinessLoop;
  private volatile ProbeLoop livenessLoop;
  private volatile Cgroups.Group group;
  /** How many OOM kills its cgroup had seen when last looked at. */
  private volatile long oomKills;
  private volatile ScheduledFuture<?> oomWatch;
  private volatile boolean stopped;

  /**
   * @param executables the allowed path each command probe's executable resolved to
   * @param mainPid told of a MAINPID the process names
   * @param stopExtended told of the time the process asks for with EXTEND_TIMEOUT_USEC once its checks have stopped (it is stopping)
   */
  ProcessChecks(String path, NodeSpec spec, Map<Probe, Path> executables, ProcessHost host, Logger logger, LongConsumer mainPid,
                Consumer<Duration> stopExtended) {
    this.path = path;
    this.spec = spec;
    this.executables = executables;
    this.host = host;
    this.logger = logger;
    this.mainPid = mainPid;
    this.stopExtended = stopExtended;
  }

  /** The names of the ports the checks refer to with {@code ${port:NAME}}. */
  Set<String> portNames() {
    Set<String> names = new TreeSet<>();
    for (Probe probe : List.of(spec.readiness(), spec.liveness())) {
      List<String> texts = new ArrayList<>();
      if (probe.port() != null) {
        texts.add(probe.port());
      }
      if (probe.url() != null) {
        texts.add(probe.url());
      }
      if (probe.command() != null) {
        texts.addAll(probe.command());
      }
      texts.forEach(text -> ProcessSpec.collectPorts(text, names));
    }
    return names;
  }

  /** Sets what the checks use, and adds to the process's environment what the notify protocol needs. */
  void configure(NodeContext nodeContext, Map<String, Integer> nodePorts, Map<String, String> environment) {
    this.context = nodeContext;
    this.ports = nodePorts;
    environment.remove("NOTIFY_SOCKET");
    environment.remove("WATCHDOG_USEC");
    environment.remove("WATCHDOG_PID");
    if (spec.readiness().type() == Probe.Type.NOTIFY || spec.liveness().type() == Probe.Type.NOTIFY) {
      environment.put("NOTIFY_SOCKET", host.notifyAddress());
    }
    if (spec.liveness().type() == Probe.Type.NOTIFY) {
      environment.put("WATCHDOG_USEC", Long.toString(spec.liveness().timeoutOrDefault().toNanos() / 1000));
    }
    this.env = environment;
  }

  /** A notify liveness check is a keepalive deadline: the process's WATCHDOG=1 is its keepalive. */
  Duration keepaliveDeadline() {
    return spec.liveness().type() == Probe.Type.NOTIFY ? spec.liveness().timeoutOrDefault() : Duration.ZERO;
  }

  /** The process started (in {@code contained}, if the host has cgroups): its checks start. */
  void started(Cgroups.Group contained) {
    stopped = false;
    group = contained;
    oomKills = 0;
    if (contained != null && spec.process().limits() != null && spec.process().limits().memory() != null) {
      oomWatch = host.probes().scheduler().scheduleWithFixedDelay(this::checkOom, 1, 1, TimeUnit.SECONDS);
    }
    Probe readiness = spec.readiness();
    if (readiness.polls()) {
      readinessLoop = new ProbeLoop(readiness, true, () -> probe(readiness), host.probes().scheduler(), this::probedReady, reason -> { })
          .start(true);
    } else if (!readiness.active()) {
      startLiveness();
    }
  }

  /** True if the kernel's OOM killer killed a process of the node since it was last looked at. */
  boolean oomKilled() {
    Cgroups.Group contained = group;
    return contained != null && contained.oomKills() > oomKills;
  }

  /** An OOM kill of any process of the node is a crash of the node (systemd's OOMPolicy=stop). */
  private void checkOom() {
    Cgroups.Group contained = group;
    if (contained != null && !stopped && contained.oomKills() > oomKills) {
      oomKills = contained.oomKills();
      logger.warn("the kernel's OOM killer killed a process of the node (memory limit {} bytes)", spec.process().limits().memory());
      context.fail("oom: the kernel's OOM killer killed a process of the node (memory limit " + spec.process().limits().memory()
          + " bytes)", null);
    }
  }

  private void probedReady() {
    logger.info("ready: {} succeeded", spec.readiness().describe());
    context.ready();
    startLiveness();
  }

  /** The liveness probes start once the process is ready. */
  private void startLiveness() {
    Probe liveness = spec.liveness();
    if (liveness.polls() && livenessLoop == null && !stopped) {
      livenessLoop = new ProbeLoop(liveness, false, () -> probe(liveness), host.probes().scheduler(), () -> { },
          reason -> context.fail(reason, null)).start(false);
    }
  }

  private CompletableFuture<String> probe(Probe probe) {
    Duration timeout = probe.timeoutOrDefault();
    return switch (probe.type()) {
      case TCP -> host.probes().tcp(Integer.parseInt(ProcessSpec.fillPorts(probe.port(), ports).trim()), timeout);
      case HTTP -> host.probes().http(ProcessSpec.fillPorts(probe.url(), ports), timeout);
      case COMMAND -> command(probe, timeout);
      default -> throw new IllegalStateException("not a probe: " + probe.type());
    };
  }

  /** A command probe, its executable the allowed path it resolved to when the node was made. */
  private CompletableFuture<String> command(Probe probe, Duration timeout) {
    List<String> command = new ArrayList<>();
    command.add(executables.get(probe).toString());
    probe.command().stream().skip(1).map(arg -> ProcessSpec.fillPorts(arg, ports)).forEach(command::add);
    return host.probes().command(probe.command().get(0), () -> host.startHelper(path, command, env, spec.process().workingDir()),
        timeout);
  }

  /** The process ends: no further check. */
  void stop() {
    stopped = true;
    ScheduledFuture<?> watch = oomWatch;
    if (watch != null) {
      watch.cancel(false);
      oomWatch = null;
    }
    ProbeLoop loop = readinessLoop;
    if (loop != null) {
      loop.stop();
    }
    loop = livenessLoop;
    if (loop != null) {
      loop.stop();
    }
    readinessLoop = null;
    livenessLoop = null;
  }

  /**
   * What the process's session said over the notify socket (on the socket's thread). Once it is
   * being stopped, only its status text and its asking for more time to stop count.
   */
  @Override
  public void notified(long senderPid, NotifyMessage message) {
    boolean stopping = stopped;
    if (message.mainPid() != null && !stopping) {
      mainPid.accept(message.mainPid()); // first: the status that READY=1 sends names the new main process
    }
    if (message.status() != null) {
      context.status(message.status());
    }
    if (message.stopping()) {
      logger.info("process {} says it is stopping (STOPPING=1)", senderPid);
    }
    if (stopping) {
      if (message.extendTimeout() != null) {
        stopExtended.accept(message.extendTimeout());
      }
      return;
    }
    if (message.ready() && spec.readiness().type() == Probe.Type.NOTIFY) {
      context.ready();
      startLiveness();
    }
    boolean watchdog = spec.liveness().type() == Probe.Type.NOTIFY;
    if (message.watchdogTimeout() != null) {
      if (watchdog) {
        logger.info("process {} set its watchdog timeout to {} ms (WATCHDOG_USEC)", senderPid, message.watchdogTimeout().toMillis());
        context.keepaliveDeadline(message.watchdogTimeout());
      } else {
        logger.info("ignored WATCHDOG_USEC from process {}: the node's liveness is {}, not notify", senderPid,
            spec.liveness().type().name().toLowerCase(Locale.ROOT));
      }
    }
    if (message.watchdog() && watchdog) {
      context.keepalive();
    }
    if (message.watchdogTrigger() && watchdog) {
      context.fail("deadlock-detected: process " + senderPid + " triggered its watchdog (WATCHDOG=trigger)", null);
    }
    if (message.extendTimeout() != null) {
      context.extendStartTimeout(message.extendTimeout());
    }
  }
}
