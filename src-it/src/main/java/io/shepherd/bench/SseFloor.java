package io.shepherd.bench;

import akka.actor.AbstractActorWithTimers;
import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.actor.Props;
import akka.http.javadsl.Http;
import akka.http.javadsl.ServerBinding;
import akka.stream.BoundedSourceQueue;
import akka.util.ByteString;
import com.typesafe.config.ConfigFactory;
import io.shepherd.api.Responses;
import io.shepherd.api.internal.Sse;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * The floor of one event's way from an API member to a subscriber on this machine: a bare Akka
 * HTTP server in a second JVM streams Server-Sent Events through the API's own stream
 * ({@link Sse#stream}), one every {@link ArteryFloor#GAP} as lone events come, each carrying the
 * time it was offered to the stream's queue; a plain reader (as the Java client's) times each one
 * to its line's arrival. No Shepherd, cluster or JSON parsing.
 */
final class SseFloor {

  private SseFloor() {}

  /** The server's JVM: prints its port, then streams until its stdin closes. */
  public static void main(String[] args) throws Exception {
    ActorSystem system = ActorSystem.create("sse-floor", ConfigFactory.parseString("akka.loglevel = WARNING")
        .withFallback(ConfigFactory.defaultReference()));
    ServerBinding binding = Http.get(system).newServerAt("127.0.0.1", 0).bindSync(request -> {
      ActorRef feeder = system.actorOf(Props.create(Feeder.class));
      return Responses.sse(Sse.stream(64, Duration.ofSeconds(15), queue -> feeder.tell(queue, ActorRef.noSender()),
          () -> system.stop(feeder)));
    }).toCompletableFuture().get(60, TimeUnit.SECONDS);
    FloorPeer.serve(binding.localAddress().getPort(), system::terminate);
  }

  /** Event to line, in nanoseconds, of {@code samples} events (after as many to warm up). */
  static long[] hops(int samples) throws Exception {
    try (FloorPeer server = new FloorPeer(SseFloor.class)) {
      HttpURLConnection connection = (HttpURLConnection) URI.create("http://127.0.0.1:" + server.port + "/").toURL().openConnection();
      try {
        connection.setReadTimeout(60_000);
        BufferedReader events = new BufferedReader(new InputStreamReader(connection.getInputStream(), StandardCharsets.UTF_8), 64 * 1024);
        long[] hops = new long[samples];
        for (int index = -samples; index < samples; ) {
          String read = events.readLine();
          if (read == null) {
            throw new IllegalStateException("the SSE server ended the stream after " + (index + samples) + " events");
          }
          if (read.startsWith("data: ")) {
            long hop = micros(Instant.now()) - Long.parseLong(read.substring(6).trim());
            if (index >= 0) {
              hops[index] = hop * 1000;
            }
            index++;
          }
        }
        return hops;
      } finally {
        connection.disconnect();
      }
    }
  }

  static long micros(Instant at) {
    return at.getEpochSecond() * 1_000_000L + at.getNano() / 1000;
  }

  /** Offers the time, as an event, to its stream's queue every {@link ArteryFloor#GAP}. */
  static final class Feeder extends AbstractActorWithTimers {
    private BoundedSourceQueue<ByteString> queue;

    @Override
    public Receive createReceive() {
      return receiveBuilder().match(BoundedSourceQueue.class, q -> {
        @SuppressWarnings("unchecked")
        BoundedSourceQueue<ByteString> events = (BoundedSourceQueue<ByteString>) q;
        queue = events;
        getTimers().startTimerWithFixedDelay("tick", "tick", ArteryFloor.GAP);
      }).matchEquals("tick", tick -> queue.offer(Sse.event(null, "time", micros(Instant.now())))).build();
    }
  }
}
