package io.shepherd.host.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.TimerScheduler;
import akka.actor.typed.receptionist.Receptionist;
import io.shepherd.host.HostSettings;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * A host agent's connection to the Manager (Flink's {@code RetryingRegistration}): follows the
 * Manager through the Receptionist, registers with every Manager it sees and retries with backoff
 * until answered {@code Registered} (then it holds the Manager and its epoch) or
 * {@code Declined}; notices the Manager's loss, and fires the dead-man switch when no Manager has
 * come for {@code manager-loss-timeout}. It tells its agent {@link Listener#connected},
 * {@link Listener#lost} and {@link Listener#noManagerFor}. A helper of the agent actor: the agent
 * hands it the messages below, and it runs only inside the agent's message handling.
 */
public final class ManagerConnection {

  /** What the connection tells its agent. */
  public interface Listener {
    /** Registered with {@code manager} (a new one, or a new incarnation): send it everything. */
    void connected(ActorRef<ManagerProtocol.Command> manager, long epoch);

    /** The Manager is gone; events wait for the next one. */
    void lost();

    /** No Manager for {@code timeout}: the dead-man switch. */
    void noManagerFor(Duration timeout);
  }

  /** The Receptionist's list of Managers changed. */
  public record Listing(Receptionist.Listing listing) implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  public enum RetryRegistration implements HostProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  public record ManagerTerminated(ActorRef<ManagerProtocol.Command> manager)
      implements HostProtocol.Command, NoSerializationVerificationNeeded {}

  public enum LossTimeout implements HostProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  private static final String REGISTRATION_TIMER = "registration";
  private static final String LOSS_TIMER = "manager-loss";

  private final ActorContext<HostProtocol.Command> ctx;
  private final TimerScheduler<HostProtocol.Command> timers;
  private final HostSettings settings;
  private final Listener listener;
  /** What the host registers as; null until the host knows (its processes' containment is found at start). */
  private HostInfo info;
  private Set<ActorRef<ManagerProtocol.Command>> listed = Set.of();
  private ActorRef<ManagerProtocol.Command> manager;
  private long epoch;
  private Duration backoff;

  /** Follows the Manager's registrations at once; registers from {@link #ready} on. */
  public ManagerConnection(ActorContext<HostProtocol.Command> ctx, TimerScheduler<HostProtocol.Command> timers, HostSettings settings,
                           Listener listener) {
    this.ctx = ctx;
    this.timers = timers;
    this.settings = settings;
    this.listener = listener;
    this.backoff = settings.registrationMinBackoff();
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(ManagerProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
  }

  /** The Manager registered with, or null. */
  public ActorRef<ManagerProtocol.Command> manager() {
    return manager;
  }

  /** The epoch of the Manager last registered with (0 before any). */
  public long epoch() {
    return epoch;
  }

  /** True if a command comes from an older Manager incarnation than the one registered with (Flink's fencing token). */
  public boolean isStale(HostProtocol.ManagerCommand command) {
    return command.epoch() < epoch;
  }

  /** The host is ready to register, as {@code info}: with the Managers listed by now, and with any later. */
  public void ready(HostInfo info) {
    this.info = info;
    if (manager == null && !listed.isEmpty()) {
      backoff = settings.registrationMinBackoff();
      register();
    }
  }

  public void onListing(Listing message) {
    listed = message.listing().getServiceInstances(ManagerProtocol.SERVICE_KEY);
    if (manager != null && !listed.contains(manager)) {
      ctx.getLog().warn("lost the Manager (epoch {}); waiting for the next one", epoch);
      lose();
    }
    if (manager == null && !listed.isEmpty() && !timers.isTimerActive(REGISTRATION_TIMER)) {
      backoff = settings.registrationMinBackoff();
      register();
    }
  }

  public void onRetry() {
    if (manager == null && !listed.isEmpty()) {
      Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(settings.registrationMaxBackoff()) <= 0 ? doubled : settings.registrationMaxBackoff();
      register();
    }
  }

  private void register() {
    if (info == null) {
      return; // ready() registers
    }
    ActorRef<HostProtocol.Command> self = ctx.getSelf();
    listed.forEach(m -> m.tell(new ManagerProtocol.RegisterHost(info, self)));
    timers.startSingleTimer(REGISTRATION_TIMER, RetryRegistration.INSTANCE, backoff);
  }

  public void onRegistered(HostProtocol.Registered registered) {
    if (registered.epoch() < epoch || (registered.manager().equals(manager) && registered.epoch() == epoch)) {
      return;
    }
    timers.cancel(REGISTRATION_TIMER);
    timers.cancel(LOSS_TIMER);
    manager = registered.manager();
    epoch = registered.epoch();
    ctx.watchWith(manager, new ManagerTerminated(manager));
    ctx.getLog().info("registered with the Manager at {} (epoch {})", manager.path().address(), epoch);
    listener.connected(manager, epoch);
  }

  public void onDeclined(HostProtocol.Declined declined) {
    if (manager != null) {
      return;
    }
    ctx.getLog().error("the Manager declined the registration of host {}: {}; retrying in {} ms",
        settings.hostId(), declined.reason(), settings.declinedBackoff().toMillis());
    timers.startSingleTimer(REGISTRATION_TIMER, RetryRegistration.INSTANCE, settings.declinedBackoff());
  }

  /** A new Manager incarnation asks the hosts it can see to register now. */
  public void onReconnect(HostProtocol.Reconnect reconnect) {
    if (info != null && reconnect.epoch() > epoch) {
      reconnect.manager().tell(new ManagerProtocol.RegisterHost(info, ctx.getSelf()));
    }
  }

  public void onTerminated(ManagerTerminated terminated) {
    if (!terminated.manager().equals(manager)) {
      return;
    }
    ctx.getLog().warn("the Manager (epoch {}) terminated; waiting for the next one", epoch);
    lose();
    Set<ActorRef<ManagerProtocol.Command>> others = new HashSet<>(listed);
    others.remove(terminated.manager());
    listed = others;
    if (!listed.isEmpty()) {
      backoff = settings.registrationMinBackoff();
      register();
    }
  }

  private void lose() {
    manager = null;
    listener.lost();
    if (!timers.isTimerActive(LOSS_TIMER)) {
      timers.startSingleTimer(LOSS_TIMER, LossTimeout.INSTANCE, settings.managerLossTimeout());
    }
  }

  /** The dead-man switch's timer: fires only if no Manager came meanwhile. */
  public void onLossTimeout() {
    if (manager == null) {
      listener.noManagerFor(settings.managerLossTimeout());
    }
  }
}
