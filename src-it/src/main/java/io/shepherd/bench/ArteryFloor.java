package io.shepherd.bench;

import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.ActorSelection;
import akka.actor.ActorSystem;
import akka.actor.Props;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The floor of one Akka remote hop on this machine: a bare actor in a second JVM echoes strings
 * over Artery TCP on loopback (no cluster, no TLS, no Shepherd); pings go out one at a time,
 * {@link #GAP} apart, as lone events do, so that each pays the threads' wake-ups as a lone event
 * does. One hop is half a round trip.
 */
final class ArteryFloor {

  static final Duration GAP = Duration.ofMillis(5);

  private ArteryFloor() {}

  /** The echo's JVM: prints its port, then echoes until its stdin closes. */
  public static void main(String[] args) throws Exception {
    ActorSystem system = ActorSystem.create("floor", config(0));
    system.actorOf(Props.create(Echo.class), "echo");
    FloorPeer.serve(system.provider().getDefaultAddress().getPort().get(), system::terminate);
  }

  /** Round trips of {@code samples} pings (after as many to warm up), in nanoseconds. */
  static long[] roundTrips(int samples) throws Exception {
    try (FloorPeer echo = new FloorPeer(ArteryFloor.class)) {
      ActorSystem system = ActorSystem.create("floor", config(0));
      try {
        ActorSelection peer = system.actorSelection("akka://floor@127.0.0.1:" + echo.port + "/user/echo");
        CompletableFuture<long[]> done = new CompletableFuture<>();
        system.actorOf(Props.create(Pinger.class, () -> new Pinger(peer, samples, done)));
        return done.get(5, TimeUnit.MINUTES);
      } finally {
        system.terminate();
      }
    }
  }

  private static Config config(int port) {
    return ConfigFactory.parseString(String.join("\n",
        "akka.actor.provider = remote",
        "akka.remote.artery.transport = tcp",
        "akka.remote.artery.canonical.hostname = \"127.0.0.1\"",
        "akka.remote.artery.canonical.port = " + port,
        "akka.loglevel = WARNING",
        "akka.coordinated-shutdown.exit-jvm = off")).withFallback(ConfigFactory.defaultReference());
  }

  public static final class Echo extends AbstractActor {
    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(message -> getSender().tell(message, getSelf())).build();
    }
  }

  /** Pings one at a time, {@link #GAP} apart; the first {@code samples} are a warm-up. */
  static final class Pinger extends AbstractActor {
    private final ActorSelection peer;
    private final long[] samples;
    private final CompletableFuture<long[]> done;
    private int index;
    private long sentAt;

    Pinger(ActorSelection peer, int samples, CompletableFuture<long[]> done) {
      this.peer = peer;
      this.samples = new long[samples];
      this.done = done;
      this.index = -samples;
    }

    @Override
    public void preStart() {
      ping();
    }

    private void ping() {
      sentAt = System.nanoTime();
      peer.tell("ping", getSelf());
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchEquals("ping", echoed -> {
        long roundTrip = System.nanoTime() - sentAt;
        if (index >= 0) {
          samples[index] = roundTrip;
        }
        if (++index == samples.length) {
          done.complete(samples);
          return;
        }
        getContext().getSystem().scheduler().scheduleOnce(GAP, getSelf(), "next", getContext().getDispatcher(), ActorRef.noSender());
      }).matchEquals("next", next -> ping()).build();
    }
  }

  /** Halves every round trip: one hop each way. */
  static long[] hops(long[] roundTrips) {
    return Arrays.stream(roundTrips).map(rtt -> rtt / 2).toArray();
  }
}
