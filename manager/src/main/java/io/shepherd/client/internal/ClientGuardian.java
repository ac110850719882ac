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
import java.util.function.Consumer;

/**
 * The guardian of a client's actor system: follows the Manager through the Receptionist and hands
 * it to calls, at once or as soon as one is known.
 */
public final class ClientGuardian extends AbstractBehavior<ClientGuardian.Command> {

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Complete {@code manager} with the current Manager, now or once there is one. */
  public record WhenManager(CompletableFuture<ActorRef<ManagerProtocol.Command>> manager) implements Command {}

  /**
   * Spawn a child (a collector of a multi-part answer, a fault listener, a log subscriber) and hand
   * out its ref; on the dispatcher named {@code dispatcher}, or the default one if null.
   */
  public record Spawn<T>(akka.actor.typed.Behavior<T> behavior, String dispatcher, CompletableFuture<ActorRef<T>> ref) implements Command {
    public Spawn(akka.actor.typed.Behavior<T> behavior, CompletableFuture<ActorRef<T>> ref) {
      this(behavior, null, ref);
    }
  }

  /** Stop a child made with {@link Spawn}. */
  public record StopChild(ActorRef<?> child) implements Command {}

  private record Listing(Receptionist.Listing listing) implements Command {}

  private final Consumer<ActorRef<ManagerProtocol.Command>> onManagerGone;
  private final Consumer<ActorRef<ManagerProtocol.Command>> onManager;
  private ActorRef<ManagerProtocol.Command> manager;
  private final List<CompletableFuture<ActorRef<ManagerProtocol.Command>>> waiting = new ArrayList<>();

  /**
   * @param onManagerGone called with a Manager that left the cluster (or became unreachable), so
   *     that calls in flight to it fail at once instead of at their timeout
   * @param onManager called with the current Manager whenever it changes (null: none)
   */
  public static Behavior<Command> create(Consumer<ActorRef<ManagerProtocol.Command>> onManagerGone,
                                         Consumer<ActorRef<ManagerProtocol.Command>> onManager) {
    return Behaviors.setup(ctx -> new ClientGuardian(ctx, onManagerGone, onManager));
  }

  private ClientGuardian(ActorContext<Command> ctx, Consumer<ActorRef<ManagerProtocol.Command>> onManagerGone,
                         Consumer<ActorRef<ManagerProtocol.Command>> onManager) {
    super(ctx);
    this.onManagerGone = onManagerGone;
    this.onManager = onManager;
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(ManagerProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WhenManager.class, this::onWhenManager)
        .onMessage(Listing.class, this::onListing)
        .onMessage(Spawn.class, m -> onSpawn((Spawn<?>) m))
        .onMessage(StopChild.class, this::onStopChild)
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

  private <T> Behavior<Command> onSpawn(Spawn<T> spawn) {
    spawn.ref().complete(spawn.dispatcher() == null ? getContext().spawnAnonymous(spawn.behavior())
        : getContext().spawnAnonymous(spawn.behavior(), akka.actor.typed.DispatcherSelector.fromConfig(spawn.dispatcher())));
    return this;
  }

  private Behavior<Command> onStopChild(StopChild stop) {
    if (stop.child().path().parent().equals(getContext().getSelf().path())) {
      getContext().stop(stop.child());
    }
    return this;
  }

  private Behavior<Command> onListing(Listing message) {
    Set<ActorRef<ManagerProtocol.Command>> listed = message.listing().getServiceInstances(ManagerProtocol.SERVICE_KEY);
    if (manager != null && listed.contains(manager)) {
      return this;
    }
    // During a hand-over the old Manager leaves the listing; a new one appears in it.
    if (manager != null) {
      onManagerGone.accept(manager);
    }
    manager = listed.isEmpty() ? null : listed.iterator().next();
    onManager.accept(manager);
    if (manager != null) {
      waiting.forEach(w -> w.complete(manager));
      waiting.clear();
    }
    return this;
  }
}
