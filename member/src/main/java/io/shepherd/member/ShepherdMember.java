package io.shepherd.member;

import akka.Done;
import akka.actor.Cancellable;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.SupervisorStrategy;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.cluster.Cluster;
import akka.cluster.typed.ClusterSingleton;
import akka.cluster.typed.ClusterSingletonSettings;
import akka.cluster.typed.SingletonActor;
import akka.http.javadsl.ServerBinding;
import akka.remote.AddressUidExtension;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.shepherd.api.ApiServer;
import io.shepherd.api.ApiSettings;
import io.shepherd.api.routes.Routes;
import io.shepherd.host.HostSettings;
import io.shepherd.host.agent.HostAgent;
import io.shepherd.host.logs.LogBuffer;
import io.shepherd.host.logs.LogForwarder;
import io.shepherd.manager.Manager;
import io.shepherd.manager.ManagerSettings;
import io.shepherd.protocol.CborLimits;
import io.shepherd.protocol.HostProtocol;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts a Shepherd member: a cluster member that runs a HostAgent (role {@code host}) and/or may
 * run the Manager singleton (role {@code manager}). When the member shuts down (SIGTERM, leaving,
 * or downed by the Split Brain Resolver), every node of its host is stopped and closed first, then
 * its actor system terminates; {@code bin/shepherd member} then exits, with status 1 if the member
 * was downed, so that a service manager restarts it.
 */
public final class ShepherdMember {

  /** The role every member has (clients do not): the Split Brain Resolver counts these. */
  public static final String MEMBER_ROLE = "member";

  /** How long a stopped replicator waits for a shutdown already on its way before it blames the store. */
  private static final Duration REPLICATOR_VERDICT_PATIENCE = Duration.ofSeconds(2);

  private ShepherdMember() {}

  /** The configuration of a member: the options over {@code base}. */
  public static Config memberConfig(MemberOptions options, Config base) {
    Set<String> roles = new TreeSet<>(options.roles() != null ? options.roles() : configuredRoles(base));
    if (roles.isEmpty()) {
      roles.addAll(MemberOptions.MEMBER_ROLES);
    }
    new MemberOptions(null, null, null, null, roles, null); // checks the configured roles too
    List<String> roleList = new ArrayList<>(roles);
    roleList.add(MEMBER_ROLE);
    Config overrides = ConfigFactory.empty()
        .withValue("akka.cluster.roles", ConfigValueFactory.fromIterable(roleList));
    if (options.port() != null) {
      overrides = overrides.withValue("akka.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(options.port()));
    }
    if (options.hostname() != null) {
      overrides = overrides.withValue("akka.remote.artery.canonical.hostname", ConfigValueFactory.fromAnyRef(options.hostname()));
    }
    if (options.seeds() != null) {
      overrides = overrides.withValue("akka.cluster.seed-nodes",
          ConfigValueFactory.fromIterable(options.seeds().stream().map(Seeds::parse).toList()));
    }
    if (options.hostId() != null) {
      overrides = overrides.withValue("shepherd.host.id", ConfigValueFactory.fromAnyRef(options.hostId()));
    }
    if (options.initialState() != null) {
      if (!roles.contains("host")) {
        throw new IllegalArgumentException("--initial-state applies to the nodes of a host: give the member the role host");
      }
      overrides = overrides.withValue("shepherd.host.initial-state", ConfigValueFactory.fromAnyRef(options.initialState()));
    }
    Config config = Seeds.firstSeedPatience(overrides.withFallback(base).resolve());
    Optional<Path> state = roles.contains("manager") ? DurableState.dir(config) : Optional.empty();
    return state.isPresent() ? DurableState.keepIn(config, state.get()) : config;
  }

  private static Set<String> configuredRoles(Config config) {
    Set<String> roles = new TreeSet<>(config.getStringList("akka.cluster.roles"));
    roles.remove(MEMBER_ROLE);
    return roles;
  }

  /** Starts a member with the given configuration (see {@link #memberConfig}). */
  public static ActorSystem<Void> start(Config config) {
    Set<String> roles = configuredRoles(config);
    if (roles.contains("host") && System.getProperty("jdk.lang.Process.launchMechanism") == null
        && Runtime.version().feature() <= 21) {
      // Process nodes start in ~0.2 ms with vfork, ~0.9 ms with the default posix_spawn (JDK 17, measured here).
      System.setProperty("jdk.lang.Process.launchMechanism", "VFORK");
    }
    if (roles.contains("host") && System.getProperty("java.util.concurrent.ForkJoinPool.common.parallelism") == null) {
      // On a 2-core machine the common pool has parallelism 1, and CompletableFuture then starts a new thread
      // for every async step, such as the exit future of each process a node runs: a pool of 2 reuses threads.
      System.setProperty("java.util.concurrent.ForkJoinPool.common.parallelism",
          Integer.toString(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
    // Bad host settings fail here, before joining.
    String hostId = roles.contains("host") ? HostSettings.fromConfig(config).hostId() : null;
    ApiSettings api = roles.contains("manager") ? ApiSettings.fromConfig(config) : null;
    Optional<Path> state = durableStateDir(config);
    state.ifPresent(dir -> DurableState.check(dir, config.getBytes("akka.cluster.distributed-data.durable.lmdb.map-size")));
    Optional<SystemdNotify> systemd = SystemdNotify.fromEnvironment(System.getenv());
    ActorSystem<Void> system = CborLimits.actorSystem(guardian(roles, systemd), Seeds.SYSTEM_NAME, config);
    if (api != null && api.enabled()) {
      startApi(system, api, config);
    }
    Obituaries.start(system);
    announce(system, roles, hostId, config);
    return system;
  }

  /** The folder of the member's durable desired state, if it keeps one (see {@link #memberConfig}). */
  static Optional<Path> durableStateDir(Config config) {
    return config.getStringList("akka.cluster.distributed-data.durable.keys").isEmpty() ? Optional.empty()
        : Optional.of(Path.of(config.getString("akka.cluster.distributed-data.durable.lmdb.dir")));
  }

  /** How long a member waits to be Up in the cluster before it says, in Shepherd's words, what may be wrong (and again as long). */
  static final Duration JOIN_WARNING = Duration.ofSeconds(20);

  /**
   * Says once, in one line, when the member is ready (Up in the cluster): its address, roles, host
   * id and API. Until then, every {@link #JOIN_WARNING}, what it is waiting for and what to check.
   */
  private static void announce(ActorSystem<Void> system, Set<String> roles, String hostId, Config config) {
    Cluster cluster = Cluster.get(Adapter.toClassic(system));
    List<String> seeds = config.getStringList("akka.cluster.seed-nodes");
    long started = System.nanoTime();
    Logger log = LoggerFactory.getLogger(ShepherdMember.class);
    Cancellable warning = system.scheduler().scheduleWithFixedDelay(JOIN_WARNING, JOIN_WARNING, () -> log.warn(
        "not a cluster member yet after {} s: no seed answered {}; check --seeds (host:port of running members), that the "
            + "first seed is up, the firewall, and that every member's certificates come from the same CA (shepherd certs)",
        (System.nanoTime() - started) / 1_000_000_000L, seeds), system.executionContext());
    cluster.registerOnMemberUp(() -> {
      warning.cancel();
      log.info("ready: member {}, roles {}{}{}", system.address(), roles, hostId == null ? "" : ", host id " + hostId,
          apiUri(system).map(uri -> ", API " + uri).orElse(""));
    });
    system.getWhenTerminated().thenRun(warning::cancel);
  }

  /** The URL of a member's HTTP API (role manager), once bound. */
  public static Optional<URI> apiUri(ActorSystem<?> system) {
    return Optional.ofNullable(API_URIS.get(system));
  }

  private static final Map<ActorSystem<?>, URI> API_URIS = new ConcurrentHashMap<>();

  /**
   * Binds the member's HTTP API, and unbinds it when the member shuts down. A member that cannot
   * serve its API (the port is taken, its certificates or tokens cannot be read) stops at once: a
   * manager member is where clients come in.
   */
  private static void startApi(ActorSystem<Void> system, ApiSettings api, Config config) {
    ServerBinding binding;
    try {
      binding = ApiServer.start(system, api, config, Routes::registerAll).toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      system.terminate();
      throw new IllegalStateException("interrupted while binding the HTTP API");
    } catch (ExecutionException | TimeoutException e) {
      system.terminate();
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      throw new IllegalArgumentException("the HTTP API cannot listen on " + api.bind() + ":" + api.port() + ": " + cause.getMessage()
          + "; free the port or set shepherd.api.port (or shepherd.api.enabled = off for a member that serves no API)", cause);
    }
    binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
    URI uri = URI.create((api.tls() ? "https://" : "http://") + api.bind() + ":" + binding.localAddress().getPort());
    API_URIS.put(system, uri);
    system.getWhenTerminated().thenRun(() -> API_URIS.remove(system));
    if (api.tls()) {
      system.log().info("HTTP API at {} (HTTPS; clients authenticate with a certificate of the cluster's CA or a bearer token)", uri);
    } else {
      system.log().warn("HTTP API at {} is plain HTTP WITHOUT authentication, on loopback only, because TLS is off "
          + "(shepherd.tls.enabled = off): fine for a trusted try-out on this machine, never for a lab network", uri);
    }
  }

  private static Behavior<Void> guardian(Set<String> roles, Optional<SystemdNotify> systemd) {
    return Behaviors.setup(ctx -> {
      ActorSystem<?> system = ctx.getSystem();
      startLogForwarding(ctx, roles);
      ActorRef<HostProtocol.Command> host = null;
      systemd.ifPresent(notify -> CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(),
          "shepherd-systemd-stopping", () -> {
            notify.send("STOPPING=1\n" + SystemdNotify.status("stopping: its nodes first"));
            return CompletableFuture.completedFuture(Done.getInstance());
          }));
      if (roles.contains("host")) {
        host = ctx.spawn(HostAgent.create(HostSettings.create(system)), "host");
        ActorRef<HostProtocol.Command> agent = host;
        Duration timeout = system.settings().config().getDuration("akka.coordinated-shutdown.phases.before-service-unbind.timeout");
        CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "shepherd-stop-nodes",
            () -> AskPattern.<HostProtocol.Command, Done>ask(agent, HostAgent.Shutdown::new, timeout, system.scheduler()));
      }
      if (roles.contains("manager")) {
        // Every manager member keeps a replica of the desired state, not only the one running the
        // Manager: Distributed Data starts lazily, and a majority write needs the others' replicas.
        // Akka stops the replicator if its durable store fails to load or write: the member stops too.
        ctx.spawn(ReplicatorWatch.create(REPLICATOR_VERDICT_PATIENCE), "replicator-watch");
        ManagerSettings settings = ManagerSettings.create(system);
        ClusterSingleton.get(system).init(SingletonActor.of(
                Behaviors.supervise(Manager.create(settings))
                    .onFailure(SupervisorStrategy.restartWithBackoff(settings.restartMinBackoff(), settings.restartMaxBackoff(),
                        settings.restartJitter())),
                "manager")
            .withSettings(ClusterSingletonSettings.create(system).withRole("manager")));
      }
      if (systemd.isPresent()) {
        ctx.spawn(ServiceNotifier.create(systemd.get(), roles, host), "systemd-notify");
      }
      return Behaviors.empty();
    });
  }

  /** True if the member shut down because it could not keep the desired state (its store cannot be read or written). */
  public static boolean lostDesiredState(ActorSystem<?> system) {
    return CoordinatedShutdown.get(system).getShutdownReason().map(reason -> reason == ReplicatorWatch.DESIRED_STATE_LOST).orElse(false);
  }

  /**
   * Every record of this JVM goes to the log server: the forwarder drains the buffer the Logback
   * appender fills. An exception no thread caught becomes an ERROR record too.
   */
  private static void startLogForwarding(ActorContext<Void> ctx, Set<String> roles) {
    ActorSystem<?> system = ctx.getSystem();
    Config config = system.settings().config();
    String name = roles.contains("host") ? HostSettings.create(system).hostId() : "manager";
    String source = name + "@" + system.address().getHost().orElse("local") + ":" + system.address().getPort().orElse(0)
        + "#" + AddressUidExtension.get(Adapter.toClassic(system)).longAddressUid();
    LogBuffer buffer = LogBuffer.global();
    buffer.setCapacity(config.getInt("shepherd.logs.forwarder.buffer"));
    ctx.spawn(Behaviors.supervise(LogForwarder.create(buffer, source,
            LogForwarder.Settings.fromConfig(config)))
        .onFailure(SupervisorStrategy.restart()), "log-forwarder");
    Logger uncaught = LoggerFactory.getLogger("shepherd.uncaught");
    Thread.setDefaultUncaughtExceptionHandler((thread, error) ->
        uncaught.error("uncaught {} in thread {}", error.getClass().getName(), thread.getName(), error));
  }

  /**
   * Watches the member's shutdown from now on: {@link TerminationWatch#await} waits until the actor
   * system has terminated, or, once coordinated shutdown has reached its last phase, for at most that
   * phase's timeout and 5 s more. Seen under a network partition: a downed member's transport hung
   * flushing to the members it could not reach after every phase had run, and the JVM never exited;
   * a downed member must exit, so that its service manager starts it again.
   */
  public static TerminationWatch watchTermination(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    AtomicLong lastPhase = new AtomicLong();
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "shepherd-exit-watch", () -> {
      lastPhase.set(System.nanoTime());
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    long allowed = shutdown.timeout(CoordinatedShutdown.PhaseActorSystemTerminate()).toNanos() + TimeUnit.SECONDS.toNanos(5);
    return new TerminationWatch(system.getWhenTerminated().toCompletableFuture(), lastPhase, allowed);
  }

  /** See {@link #watchTermination}. */
  public static final class TerminationWatch {

    private final CompletableFuture<Done> terminated;
    private final AtomicLong lastPhase;
    private final long allowedNanos;

    private TerminationWatch(CompletableFuture<Done> terminated, AtomicLong lastPhase, long allowedNanos) {
      this.terminated = terminated;
      this.lastPhase = lastPhase;
      this.allowedNanos = allowedNanos;
    }

    /** @return false if it stopped waiting before the actor system had terminated */
    public boolean await() throws InterruptedException {
      while (true) {
        try {
          terminated.get(200, TimeUnit.MILLISECONDS);
          return true;
        } catch (ExecutionException e) {
          return true;
        } catch (TimeoutException e) {
          long since = lastPhase.get();
          if (since != 0 && System.nanoTime() - since > allowedNanos) {
            return false;
          }
        }
      }
    }
  }

  /** True if the member shut down because the cluster downed it (it may rejoin as a new incarnation). */
  public static boolean downed(ActorSystem<?> system) {
    return CoordinatedShutdown.get(system).getShutdownReason()
        .map(reason -> reason instanceof CoordinatedShutdown.ClusterDowningReason$)
        .orElse(false);
  }

  /** Terminates the member if the process {@code pid} ends: members started by a harness or demo never outlive it. */
  public static void exitWithProcess(ActorSystem<?> system, long pid) {
    ProcessHandle.of(pid).ifPresentOrElse(
        parent -> parent.onExit().thenRun(() -> {
          system.log().warn("parent process {} ended; shutting down", pid);
          system.terminate();
        }),
        system::terminate);
  }
}
