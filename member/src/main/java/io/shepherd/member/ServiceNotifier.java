package io.shepherd.member;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.cluster.ddata.GCounter;
import akka.cluster.ddata.GCounterKey;
import akka.cluster.ddata.Key;
import akka.cluster.ddata.typed.javadsl.DistributedData;
import akka.cluster.ddata.typed.javadsl.Replicator;
import akka.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.SelfUp;
import akka.cluster.typed.Subscribe;
import io.shepherd.host.agent.HostAgent;
import io.shepherd.protocol.HostProtocol;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd how the member is ({@code Type=notify}): {@code READY=1} once the member is Up in
 * the cluster and, with role host, its host agent is registered with the Manager; {@code STATUS=}
 * with its roles and the Manager's epoch at every change; and, when systemd asked for a watchdog,
 * {@code WATCHDOG=1} only after a health check answered: the host agent (role host) or this actor
 * (manager only) handled a message within the watchdog's time. A wedged member is thereby
 * restarted by systemd. {@code STOPPING=1} is sent by the member's shutdown, not by this actor.
 *
 * <p>Supervision: none needed; a failure stops it, and systemd's watchdog restarts the member.
 */
final class ServiceNotifier extends AbstractBehavior<ServiceNotifier.Command> {

  interface Command extends NoSerializationVerificationNeeded {}

  private enum Up implements Command { INSTANCE }

  private record Registered(HostAgent.Registration registration) implements Command {}

  private record EpochChanged(Replicator.SubscribeResponse<GCounter> change) implements Command {}

  private enum Tick implements Command { INSTANCE }

  /** The Manager's epoch counter, kept by every manager member's replica (see DesiredStore). */
  private static final Key<GCounter> EPOCH = GCounterKey.create("shepherd-epoch");

  private final SystemdNotify notify;
  private final Set<String> roles;
  private final ActorRef<HostProtocol.Command> host;
  private final ActorRef<HostAgent.Registration> registrations;
  private boolean up;
  private boolean registered;
  private long epoch;
  private boolean ready;
  private String status = "";

  /** @param host the member's host agent, or null for a member without role host */
  static Behavior<Command> create(SystemdNotify notify, Set<String> roles, ActorRef<HostProtocol.Command> host) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      if (!notify.watchdog().isZero()) {
        // Three checks per watchdog period: one late answer is not yet a missed watchdog.
        timers.startTimerWithFixedDelay(Tick.INSTANCE, notify.watchdog().dividedBy(3));
      }
      return new ServiceNotifier(ctx, notify, roles, host);
    }));
  }

  private ServiceNotifier(ActorContext<Command> ctx, SystemdNotify notify, Set<String> roles, ActorRef<HostProtocol.Command> host) {
    super(ctx);
    this.notify = notify;
    this.roles = new TreeSet<>(roles);
    this.host = host;
    this.registrations = ctx.messageAdapter(HostAgent.Registration.class, Registered::new);
    Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(ctx.messageAdapter(SelfUp.class, m -> Up.INSTANCE),
        SelfUp.class));
    if (host != null) {
      host.tell(new HostAgent.WatchRegistration(registrations));
    } else {
      // A manager member without a host agent reads the Manager's epoch from its own replica.
      new ReplicatorMessageAdapter<Command, GCounter>(ctx, DistributedData.get(ctx.getSystem()).replicator(), Duration.ofSeconds(5))
          .subscribe(EPOCH, EpochChanged::new);
    }
    report();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Up.class, m -> onUp())
        .onMessage(Registered.class, this::onRegistered)
        .onMessage(EpochChanged.class, this::onEpochChanged)
        .onMessage(Tick.class, m -> onTick())
        .build();
  }

  private Behavior<Command> onUp() {
    up = true;
    report();
    return this;
  }

  private Behavior<Command> onRegistered(Registered message) {
    boolean changed = message.registration().registered() != registered || message.registration().epoch() != epoch;
    registered = message.registration().registered();
    epoch = message.registration().epoch();
    if (changed) {
      report();
    }
    if (!notify.watchdog().isZero()) {
      // The host agent answered: it is handling messages.
      notify.send("WATCHDOG=1");
    }
    return this;
  }

  private Behavior<Command> onEpochChanged(EpochChanged message) {
    if (message.change() instanceof Replicator.Changed<GCounter> changed) {
      epoch = changed.get(EPOCH).getValue().longValue();
      report();
    }
    return this;
  }

  private Behavior<Command> onTick() {
    if (host != null) {
      host.tell(new HostAgent.WatchRegistration(registrations));
    } else {
      notify.send("WATCHDOG=1");
    }
    return this;
  }

  /** Sends READY=1 once ready, and the status whenever it changed. */
  private void report() {
    boolean nowReady = up && (host == null || registered);
    String text = describe();
    if (nowReady && !ready) {
      ready = true;
      status = text;
      notify.send("READY=1\n" + SystemdNotify.status(text));
      LoggerFactory.getLogger(ServiceNotifier.class).info("told systemd: ready ({})", text);
    } else if (!text.equals(status)) {
      status = text;
      notify.send(SystemdNotify.status(text));
    }
  }

  private String describe() {
    String member = "roles " + String.join(",", roles) + "; ";
    if (!up) {
      return member + "joining the cluster";
    }
    String manager = epoch == 0 ? "no Manager yet" : "Manager epoch " + epoch;
    if (host == null) {
      return member + "Up; " + manager;
    }
    return member + "Up; " + (registered ? "host agent registered, " + manager : "host agent looking for the Manager ("
        + manager + ")");
  }
}
