package io.shepherd.api;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.AskPattern;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.serialization.SerializationExtension;
import io.shepherd.api.internal.Stages;
import io.shepherd.api.internal.StatusCollector;
import io.shepherd.api.internal.StatusFlight;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.ManagerProtocol;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * The API's way to the Manager singleton and its log server, wherever they run: it follows both
 * through the Receptionist, asks them with a timeout, and turns their refusals into
 * {@link ApiException}s. A call in flight to a Manager that leaves fails at once (it may or may
 * not have taken effect); with no Manager at all, a call fails with 503 and {@code Retry-After}.
 */
public final class ManagerLink {

  private final ActorSystem<?> system;
  private final Duration callTimeout;
  /** The largest message members exchange, less room for the envelope. */
  private final long frameLimit;
  private final AtomicReference<ActorRef<ManagerProtocol.Command>> manager = new AtomicReference<>();
  private final AtomicReference<ActorRef<LogProtocol.Command>> logServer = new AtomicReference<>();
  private final ConcurrentHashMap<ActorRef<ManagerProtocol.Command>, Map<CompletableFuture<?>, Boolean>> inFlight =
      new ConcurrentHashMap<>();
  private final AtomicLong collectors = new AtomicLong();
  private final StatusFlight statusFlight = new StatusFlight(this::gatherStatus);

  private ManagerLink(ActorSystem<?> system, Duration callTimeout) {
    this.system = system;
    this.callTimeout = callTimeout;
    this.frameLimit = system.settings().config().getBytes("akka.remote.artery.advanced.maximum-frame-size") - 4096;
  }

  /** A link that starts following the Manager and the log server at once. */
  public static ManagerLink start(ActorSystem<?> system, Duration callTimeout) {
    ManagerLink link = new ManagerLink(system, callTimeout);
    system.systemActorOf(link.watcher(), "api-manager-watcher", Props.empty());
    return link;
  }

  public ActorSystem<?> system() {
    return system;
  }

  public Duration callTimeout() {
    return callTimeout;
  }

  /** Asks the Manager; refusals ({@link ManagerProtocol.Failed}) fail the stage with the matching {@link ApiException}. */
  public <R extends ManagerProtocol.Reply> CompletionStage<R> call(
      Function<ActorRef<ManagerProtocol.Reply>, ManagerProtocol.Command> message, Class<R> answer) {
    ActorRef<ManagerProtocol.Command> current = manager.get();
    if (current == null) {
      return CompletableFuture.failedFuture(noManager());
    }
    ApiException tooLarge = checkSize(message.apply(system.ignoreRef()));
    if (tooLarge != null) {
      return CompletableFuture.failedFuture(tooLarge);
    }
    CompletableFuture<ManagerProtocol.Reply> reply = Stages.plain(
        AskPattern.<ManagerProtocol.Command, ManagerProtocol.Reply>ask(current, message::apply, callTimeout, system.scheduler()));
    track(current, reply, false);
    return reply.handle((r, e) -> {
      if (e != null) {
        throw new CompletionException(mapError(e, "the Manager"));
      }
      if (r instanceof ManagerProtocol.Failed failed) {
        throw new CompletionException(ApiException.of(failed.code(), failed.message()));
      }
      if (!answer.isInstance(r)) {
        throw new CompletionException(new ApiException(500, ErrorCode.INTERNAL, "unexpected answer from the Manager: " + r));
      }
      return answer.cast(r);
    });
  }

  /**
   * A message larger than the cluster's frame would be dropped on its way to the Manager or a host
   * (and only logged there): the calls that can carry much (site files, specs, input, host calls)
   * are measured first and refused instead.
   */
  private ApiException checkSize(ManagerProtocol.Command message) {
    if (!(message instanceof ManagerProtocol.ApplySite || message instanceof ManagerProtocol.CreateNode
        || message instanceof ManagerProtocol.SendInput || message instanceof ManagerProtocol.HostCall)) {
      return null;
    }
    long limit = frameLimit;
    byte[] bytes = SerializationExtension.get(Adapter.toClassic(system))
        .serialize(message).get();
    if (bytes.length <= limit) {
      return null;
    }
    return new ApiException(413, ErrorCode.TOO_LARGE, "the call is " + bytes.length + " bytes once serialized, larger than the largest "
        + "message members exchange (" + limit + " bytes, akka.remote.artery.advanced.maximum-frame-size); "
        + (message instanceof ManagerProtocol.ApplySite ? "split the site file, or raise the frame size on every member"
            : "make its params or input smaller"));
  }

  /**
   * The whole cluster's status, gathered from the parts the Manager answers with, after this call:
   * calls that arrive while one is gathered share the next gathering ({@link StatusFlight}).
   */
  public CompletionStage<ClusterStatus> status() {
    return statusFlight.status().copy().orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS).handle((status, e) -> {
      if (e != null) {
        throw new CompletionException(mapError(e, "the Manager"));
      }
      return status;
    });
  }

  /** One gathering of the status: failed if there is no Manager, or none answers within the call timeout. */
  private CompletableFuture<ClusterStatus> gatherStatus() {
    ActorRef<ManagerProtocol.Command> current = manager.get();
    if (current == null) {
      return CompletableFuture.failedFuture(noManager());
    }
    CompletableFuture<ClusterStatus> result = new CompletableFuture<>();
    track(current, result, true);
    ActorRef<ManagerProtocol.StatusPart> collector = system.systemActorOf(StatusCollector.create(result),
        "api-status-" + collectors.incrementAndGet(), Props.empty());
    current.tell(new ManagerProtocol.GetStatus(collector));
    return result.orTimeout(callTimeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((status, e) -> {
      if (e != null) {
        collector.tell(new ManagerProtocol.StatusPart(0, 1, null)); // stops it
      }
    });
  }

  /** The newest records of the log server that match. */
  public CompletionStage<LogProtocol.Tail> tail(LogFilter filter, int limit) {
    ActorRef<LogProtocol.Command> server = logServer.get();
    if (server == null) {
      return CompletableFuture.failedFuture(new ApiException(503, ErrorCode.NO_MANAGER, "no log server is reachable: it runs with "
          + "the Manager, and none runs right now (a failover takes a few seconds)", 2));
    }
    return Stages.plain(AskPattern.<LogProtocol.Command, LogProtocol.Tail>ask(server, r -> new LogProtocol.QueryTail(filter, limit, r),
        callTimeout, system.scheduler())).handle((tail, e) -> {
          if (e != null) {
            throw new CompletionException(mapError(e, "the log server"));
          }
          return tail;
        });
  }

  /** The current Manager, or null if none is known. */
  public ActorRef<ManagerProtocol.Command> manager() {
    return manager.get();
  }

  /** The current log server, or null. */
  public ActorRef<LogProtocol.Command> logServer() {
    return logServer.get();
  }

  /**
   * Remembers a call in flight to {@code to}, until it ends: if that Manager leaves first, the call
   * fails at once. {@code repeatable}: asking again cannot do anything twice (a status).
   */
  private void track(ActorRef<ManagerProtocol.Command> to, CompletableFuture<?> call, boolean repeatable) {
    inFlight.computeIfAbsent(to, m -> new ConcurrentHashMap<>()).put(call, repeatable);
    call.whenComplete((r, e) -> {
      Map<CompletableFuture<?>, Boolean> calls = inFlight.get(to);
      if (calls != null) {
        calls.remove(call);
      }
    });
  }

  /**
   * Fails the calls in flight to a Manager that left. A status may be asked again at once (503 with
   * Retry-After, which clients follow); a command may have taken effect, so it fails with 502,
   * which no client repeats by itself (seen when it was 503: a client sent a node's creation again
   * through another member and was told the node already exists).
   */
  private void managerGone(ActorRef<ManagerProtocol.Command> gone) {
    Map<CompletableFuture<?>, Boolean> calls = inFlight.remove(gone);
    if (calls != null) {
      String left = "the Manager at " + gone.path().address() + " left while the call was in flight";
      ApiException again = new ApiException(503, ErrorCode.NO_MANAGER, left + "; a new Manager takes over within seconds", 2);
      ApiException maybe = new ApiException(502, ErrorCode.NO_MANAGER, left + ": it may or may not have taken effect; a new "
          + "Manager takes over within seconds: read the status before you repeat it");
      calls.forEach((call, repeatable) -> call.completeExceptionally(repeatable ? again : maybe));
    }
  }

  private ApiException mapError(Throwable error, String what) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ApiException api) {
      return api;
    }
    if (cause instanceof TimeoutException) {
      return new ApiException(504, ErrorCode.TIMEOUT, what + " did not answer within " + callTimeout.toSeconds() + " s; it may have "
          + "failed over: the call may or may not have taken effect");
    }
    return new ApiException(500, ErrorCode.INTERNAL, what + " call failed: " + cause);
  }

  private static ApiException noManager() {
    return new ApiException(503, ErrorCode.NO_MANAGER, "no Manager is running right now: it is starting, or failing over to another "
        + "manager member (a few seconds); retry, or check that a member with role manager is up", 2);
  }

  private Behavior<Receptionist.Listing> watcher() {
    return Behaviors.setup(ctx -> {
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(ManagerProtocol.SERVICE_KEY, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(LogProtocol.SERVICE_KEY, ctx.getSelf()));
      return Behaviors.receiveMessage(listing -> {
        if (listing.isForKey(ManagerProtocol.SERVICE_KEY)) {
          Set<ActorRef<ManagerProtocol.Command>> managers = listing.getServiceInstances(ManagerProtocol.SERVICE_KEY);
          ActorRef<ManagerProtocol.Command> old = manager.get();
          if (old == null || !managers.contains(old)) {
            manager.set(managers.isEmpty() ? null : managers.iterator().next());
            if (old != null) {
              managerGone(old);
            }
          }
        } else if (listing.isForKey(LogProtocol.SERVICE_KEY)) {
          Set<ActorRef<LogProtocol.Command>> servers = listing.getServiceInstances(LogProtocol.SERVICE_KEY);
          ActorRef<LogProtocol.Command> old = logServer.get();
          if (old == null || !servers.contains(old)) {
            logServer.set(servers.isEmpty() ? null : servers.iterator().next());
          }
        }
        return Behaviors.same();
      });
    });
  }
}
