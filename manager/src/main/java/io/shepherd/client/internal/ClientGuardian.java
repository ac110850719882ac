package io.shepherd.client.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import io.shepherd.protocol.ManagerProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The guardian of a client's actor system: follows the Manager through the Receptionist and hands
 * it to calls, at once or as soon as one is known.
 */
public final class ClientGuardian extends AbstractBehavior<ClientGuardian.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Complete {@code manager} with the current Manager, now or once there is one. */
  public record WhenManager(CompletableFuture<ActorRef<ManagerProtocol.Command>> manager) implements Command {}

  /** Spawn a short-lived child (a collector of a multi-part answer) and hand out its ref. */
  public record SpawnCollector<T>(akka.actor.typed.Behavior<T> behavior, CompletableFuture<ActorRef<T>> ref) implements Command {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  private ActorRef<ManagerProtocol.Command> manager;
  private final List<CompletableFuture<ActorRef<ManagerProtocol.Command>>> waiting = new ArrayList<>();

  public static Behavior<Command> create() {
    return Behaviors.setup(ClientGuardian::new);
  }

  private ClientGuardian(ActorContext<Command> ctx) {
    super(ctx);
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(ManagerProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WhenManager.class, this::onWhenManager)
        .onMessage(Listing.class, this::onListing)
        .onMessage(SpawnCollector.class, this::onSpawnCollector)
        .build();
  }

  private Behavior<Command> onWhenManager(WhenManager when) {
    if (manager != null) {
      when.manager().complete(manager);
    } else {
      waiting.removeIf(CompletableFuture::isDone);
      waiting.add(when.manager());
    }
    return this;
  }

  private <T> Behavior<Command> onSpawnCollector(SpawnCollector<T> spawn) {
    spawn.ref().complete(getContext().spawnAnonymous(spawn.behavior()));
    return this;
  }

  private Behavior<Command> onListing(Listing message) {
    Set<ActorRef<ManagerProtocol.Command>> listed = message.listing().getServiceInstances(ManagerProtocol.SERVICE_KEY);
    if (manager != null && listed.contains(manager)) {
      return this;
    }
    // During a hand-over the old Manager leaves the listing; a new one appears in it.
    manager = listed.isEmpty() ? null : listed.iterator().next();
    if (manager != null) {
      waiting.forEach(w -> w.complete(manager));
      waiting.clear();
    }
    return this;
  }
}
