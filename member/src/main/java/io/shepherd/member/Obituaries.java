package io.shepherd.member;

import akka.Done;
import akka.actor.AddressFromURIString;
import akka.actor.CoordinatedShutdown;
import akka.actor.ExtendedActorSystem;
import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.Behavior;
import akka.actor.typed.PostStop;
import akka.actor.typed.Props;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import akka.cluster.ClusterEvent;
import akka.cluster.Member;
import akka.cluster.MemberStatus;
import akka.cluster.UniqueAddress;
import akka.cluster.typed.Cluster;
import akka.cluster.typed.Down;
import akka.cluster.typed.Subscribe;
import akka.remote.RemoteActorRefProvider;
import io.shepherd.protocol.SentinelProtocol;
import io.shepherd.protocol.SentinelProtocol.Introduce;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import scala.Option;

/**
 * Downs a member at once when its sentinel says that its JVM has died, instead of after the failure
 * detector's pause and the Split Brain Resolver's stable-after (~4 s with the shipped settings).
 *
 * <p>Every member runs one, with its {@link Sentinel}. Each introduces itself to every other one it
 * finds through the Receptionist ({@link Introduce}: its member's address and incarnation, the
 * one-time token of its sentinel, and where its ear listens), and tells its own sentinel where the
 * others listen. A datagram is acted on only if it carries the token of a member that is still in
 * the cluster with the same incarnation: a new incarnation at the same address is never downed
 * for its predecessor. Downing a member whose JVM is gone is safe whatever the network does: it
 * runs no Manager and no node any more. A machine that dies whole sends nothing; the failure
 * detector and the Split Brain Resolver handle it as before.
 */
public final class Obituaries {

  private Obituaries() {}

  private record Heard(String token) implements SentinelProtocol.Command {}

  private record Listed(Receptionist.Listing listing) implements SentinelProtocol.Command {}

  private record Removed(ClusterEvent.MemberRemoved event) implements SentinelProtocol.Command {}

  /** A member introduced to this one: its incarnation, and where its ear listens. */
  private record Known(UniqueAddress member, String host, int port) {}

  /**
   * Starts the sentinel and this member's obituary desk, if {@code shepherd.member.sentinel} is on;
   * the sentinel is quieted when the member shuts down on purpose. Blocking: call it outside actors.
   */
  static void start(ActorSystem<?> system) {
    if (!system.settings().config().getBoolean("shepherd.member.sentinel")) {
      return;
    }
    String host = system.address().getHost().orElse("127.0.0.1");
    int port = (Integer) system.address().getPort().orElse(0);
    // A datagram may come before the desk exists (it is ignored then: no member knows this one yet).
    AtomicReference<ActorRef<SentinelProtocol.Command>> desk = new AtomicReference<>();
    Optional<Sentinel> started = Sentinel.start(host, port, token -> {
      ActorRef<SentinelProtocol.Command> to = desk.get();
      if (to != null) {
        to.tell(new Heard(token));
      }
    });
    if (started.isEmpty()) {
      return;
    }
    Sentinel sentinel = started.get();
    desk.set(system.systemActorOf(create(sentinel), "obituaries", Props.empty()));
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "shepherd-sentinel-quiet", () -> {
      sentinel.quiet();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
  }

  static Behavior<SentinelProtocol.Command> create(Sentinel sentinel) {
    return Behaviors.setup(ctx -> {
      Cluster cluster = Cluster.get(ctx.getSystem());
      ctx.getSystem().receptionist().tell(Receptionist.register(SentinelProtocol.SERVICE_KEY, ctx.getSelf()));
      ctx.getSystem().receptionist().tell(Receptionist.subscribe(SentinelProtocol.SERVICE_KEY,
          ctx.messageAdapter(Receptionist.Listing.class, Listed::new)));
      cluster.subscriptions().tell(Subscribe.create(ctx.messageAdapter(ClusterEvent.MemberRemoved.class, Removed::new),
          ClusterEvent.MemberRemoved.class));
      UniqueAddress self = cluster.selfMember().uniqueAddress();
      Introduce introduce = new Introduce(self.address().toString(), self.longUid(), sentinel.token(), sentinel.host(),
          sentinel.port());
      return new Desk(ctx, cluster, sentinel, introduce).behavior();
    });
  }

  private static final class Desk {
    private final ActorContext<SentinelProtocol.Command> ctx;
    private final Cluster cluster;
    private final Sentinel sentinel;
    private final Introduce introduce;
    private final Logger log;
    private final RemoteActorRefProvider remoteProvider;
    private final Map<String, Known> byToken = new HashMap<>();
    private Set<ActorRef<SentinelProtocol.Command>> introducedTo = new HashSet<>();

    Desk(ActorContext<SentinelProtocol.Command> ctx, Cluster cluster, Sentinel sentinel, Introduce introduce) {
      this.ctx = ctx;
      this.cluster = cluster;
      this.sentinel = sentinel;
      this.introduce = introduce;
      this.log = ctx.getLog();
      this.remoteProvider = (RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(ctx.getSystem())).provider();
    }

    Behavior<SentinelProtocol.Command> behavior() {
      return Behaviors.receive(SentinelProtocol.Command.class)
          .onMessage(Listed.class, this::onListed)
          .onMessage(Introduce.class, this::onIntroduce)
          .onMessage(Heard.class, this::onHeard)
          .onMessage(Removed.class, this::onRemoved)
          .onSignal(PostStop.class, stop -> {
            sentinel.shutdown();
            return Behaviors.same();
          })
          .build();
    }

    /** Introduces this member to every desk it has not yet met. */
    private Behavior<SentinelProtocol.Command> onListed(Listed listed) {
      Set<ActorRef<SentinelProtocol.Command>> listing = new HashSet<>(listed.listing().getServiceInstances(SentinelProtocol.SERVICE_KEY));
      listing.remove(ctx.getSelf());
      for (ActorRef<SentinelProtocol.Command> desk : listing) {
        if (!introducedTo.contains(desk)) {
          desk.tell(introduce);
        }
      }
      introducedTo = listing;
      return Behaviors.same();
    }

    private Behavior<SentinelProtocol.Command> onIntroduce(Introduce other) {
      UniqueAddress member = new UniqueAddress(AddressFromURIString.parse(other.member()), other.uid());
      if (member.equals(cluster.selfMember().uniqueAddress())) {
        return Behaviors.same();
      }
      if (byToken.put(other.token(), new Known(member, other.host(), other.port())) == null) {
        sentinel.addPeer(other.host(), other.port());
        log.info("the sentinel of member {} will say if its JVM dies (UDP {}:{})", member.address(), other.host(), other.port());
      }
      return Behaviors.same();
    }

    private Behavior<SentinelProtocol.Command> onHeard(Heard heard) {
      Known known = byToken.get(heard.token());
      if (known == null) {
        log.debug("a datagram that carries no member's token: ignored");
        return Behaviors.same();
      }
      Optional<Member> member = StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
          .filter(m -> m.uniqueAddress().equals(known.member()))
          .findFirst();
      if (member.isPresent() && member.get().status() != MemberStatus.down() && member.get().status() != MemberStatus.removed()) {
        log.warn("member {} has died: its sentinel reports that its JVM is gone; downing it now", known.member().address());
        cluster.manager().tell(new Down(known.member().address()));
        // A Down member is removed once it is also unreachable or terminated; the failure detector
        // would say so only after its pause. Its JVM is gone: quarantining its incarnation marks it
        // terminated at once (Akka's cluster core watches quarantines), and the leader removes it.
        remoteProvider.transport().quarantine(known.member().address(), Option.apply(known.member().longUid()),
            "its sentinel reports that its JVM is gone");
      }
      return Behaviors.same();
    }

    /** Forgets a member that left the cluster, and no longer tells its ear of this member's death. */
    private Behavior<SentinelProtocol.Command> onRemoved(Removed removed) {
      UniqueAddress gone = removed.event().member().uniqueAddress();
      List<Known> forgotten = byToken.values().stream().filter(known -> known.member().equals(gone)).toList();
      byToken.values().removeAll(forgotten);
      for (Known known : forgotten) {
        if (byToken.values().stream().noneMatch(other -> other.host().equals(known.host()) && other.port() == known.port())) {
          sentinel.removePeer(known.host(), known.port());
        }
      }
      return Behaviors.same();
    }
  }
}
