package io.shepherd.manager.internal;

import akka.actor.typed.javadsl.ActorContext;
import io.shepherd.protocol.ManagerProtocol;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;

/**
 * The parts of the Manager that its services share: the registry, the one door to the hosts,
 * desired state, requests, events and leases, with the settings the services need. Every part is
 * used only inside the Manager's message handling.
 */
public final class ManagerParts {

  /**
   * The settings the Manager's services read.
   *
   * @param hostCommandsInFlight most reconciliation commands a host has unanswered at once: a site
   *     file of 10,000 nodes goes out as its host answers, never as one burst that overflows the
   *     queue Akka keeps per remote member (messages beyond it are dropped)
   */
  public record Settings(Duration callTimeout, Duration createTimeout, Duration leaseGrace, Duration resendAfter,
                         Duration specCheckTimeout, int hostCommandsInFlight) {}

  private final ActorContext<ManagerProtocol.Command> ctx;
  private final Settings settings;
  private final Registry registry;
  private final HostLink link;
  private final DesiredState desired;
  private final Requests requests;
  private final Dependencies dependencies;
  private final ManagerEvents events;
  private final Leases leases = new Leases();

  public ManagerParts(ActorContext<ManagerProtocol.Command> ctx, Settings settings, Registry registry, HostLink link,
                      DesiredState desired, ManagerEvents events) {
    this.ctx = ctx;
    this.settings = settings;
    this.registry = registry;
    this.link = link;
    this.desired = desired;
    this.events = events;
    this.dependencies = new Dependencies(registry, link);
    this.requests = new Requests(registry, link, desired, events, dependencies);
  }

  public Dependencies dependencies() {
    return dependencies;
  }

  public ActorContext<ManagerProtocol.Command> ctx() {
    return ctx;
  }

  public Logger log() {
    return ctx.getLog();
  }

  public Settings settings() {
    return settings;
  }

  public Registry registry() {
    return registry;
  }

  public HostLink link() {
    return link;
  }

  public DesiredState desired() {
    return desired;
  }

  public Requests requests() {
    return requests;
  }

  public ManagerEvents events() {
    return events;
  }

  public Leases leases() {
    return leases;
  }

  /** When a call made now times out. */
  public long deadline() {
    return System.nanoTime() + settings.callTimeout().toNanos();
  }

  /** Gives a session a lease, unless it holds one: a client that never renews loses what it owns all the same. */
  public void grantLease(String sessionId) {
    leases.grant(sessionId, settings.leaseGrace().toNanos(), System.nanoTime());
  }

  /**
   * Sends a host what it lacks of its desired state (see {@link Reconciler}), as much as its window
   * of commands in flight has room for; the rest goes as the host answers ({@link #reconcileBacklog}).
   */
  public void reconcile(HostEntry host, long now) {
    long resendAfter = settings.resendAfter().toNanos();
    List<Reconciler.Action> actions = Reconciler.plan(host, registry, now, resendAfter);
    int room = actions.isEmpty() ? 0 : Math.max(0, settings.hostCommandsInFlight() - Reconciler.inFlight(host, registry, now, resendAfter));
    host.reconciled(actions.size() > room);
    for (Reconciler.Action action : actions.subList(0, Math.min(room, actions.size()))) {
      action.resend().sent(now);
      link.send(host, action::command);
    }
  }

  /**
   * The host answered: what did not fit its window last time goes now, as far as it fits, once a
   * quarter of the window is answered (a reconciliation looks at every node: not for each answer).
   */
  public void reconcileBacklog(HostEntry host) {
    if (host.backlog() && host.answers() >= Math.max(1, settings.hostCommandsInFlight() / 4)) {
      reconcile(host, System.nanoTime());
    }
  }

  /** Reconciles every host, with the holds of dependencies computed afresh first (nodes may have been added). */
  public void reconcileAll(long now) {
    dependencies.regateAll();
    registry.hosts().forEach(h -> reconcile(h, now));
  }
}
