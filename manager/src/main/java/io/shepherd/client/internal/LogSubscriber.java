package io.shepherd.client.internal;

import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.AbstractBehavior;
import akka.actor.typed.javadsl.ActorContext;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.javadsl.Receive;
import akka.actor.typed.receptionist.Receptionist;
import io.shepherd.protocol.LogFilter;
import io.shepherd.protocol.LogLevel;
import io.shepherd.protocol.LogProtocol;
import io.shepherd.protocol.LogRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A client's subscription to the log server: hands each record to the consumer (on a dispatcher of
 * its own: a consumer may be slow), acknowledges each delivery once handed over, and follows the log
 * server across a Manager failover, subscribing to the next one with a little overlap and dropping
 * the records it has already seen by their source and number. Records the server dropped because
 * this subscriber fell behind arrive as one WARN record that says how many.
 */
public final class LogSubscriber extends AbstractBehavior<Object> {

  private record Listing(Receptionist.Listing listing) implements NoSerializationVerificationNeeded {}

  /** The overlap asked of a new server, for the records the old one had not streamed yet. */
  private static final long OVERLAP_MICROS = 5_000_000;

  private final LogFilter filter;
  private final Consumer<LogRecord> consumer;
  private final ActorRef<LogProtocol.Delivery> deliveries;
  private final Map<String, Long> lastSeq = new HashMap<>();
  private ActorRef<LogProtocol.Command> server;
  private long lastMicros;

  public static Behavior<Object> create(LogFilter filter, Consumer<LogRecord> consumer) {
    return Behaviors.setup(ctx -> new LogSubscriber(ctx, filter, consumer));
  }

  private LogSubscriber(ActorContext<Object> ctx, LogFilter filter, Consumer<LogRecord> consumer) {
    super(ctx);
    this.filter = filter;
    this.consumer = consumer;
    this.deliveries = ctx.getSelf().narrow();
    ctx.getSystem().receptionist().tell(Receptionist.subscribe(LogProtocol.SERVICE_KEY,
        ctx.messageAdapter(Receptionist.Listing.class, Listing::new)));
  }

  @Override
  public Receive<Object> createReceive() {
    return newReceiveBuilder()
        .onMessage(Listing.class, this::onListing)
        .onMessage(LogProtocol.Delivery.class, this::onDelivery)
        .build();
  }

  private Behavior<Object> onListing(Listing listing) {
    Set<ActorRef<LogProtocol.Command>> servers = listing.listing().getServiceInstances(LogProtocol.SERVICE_KEY);
    if (server != null && servers.contains(server)) {
      return this;
    }
    server = servers.isEmpty() ? null : servers.iterator().next();
    if (server != null) {
      Long since = lastMicros == 0 ? filter.sinceMicros() : Long.valueOf(Math.max(lastMicros - OVERLAP_MICROS,
          filter.sinceMicros() == null ? 0 : filter.sinceMicros()));
      server.tell(new LogProtocol.Subscribe(new LogFilter(filter.node(), filter.minLevel(), since), deliveries));
    }
    return this;
  }

  private Behavior<Object> onDelivery(LogProtocol.Delivery delivery) {
    if (delivery.dropped() > 0) {
      long now = Instant.now().toEpochMilli() * 1000;
      consumer.accept(new LogRecord("subscriber", 0, now, LogLevel.WARN, null, "shepherd.logs", "subscriber", delivery.dropped()
          + " log records were dropped for this subscriber: it fell behind the stream", null));
    }
    for (LogRecord record : delivery.records()) {
      Long seen = lastSeq.get(record.source());
      if (seen != null && record.seq() <= seen) {
        continue;
      }
      lastSeq.put(record.source(), record.seq());
      lastMicros = Math.max(lastMicros, record.micros());
      consumer.accept(record);
    }
    delivery.server().tell(new LogProtocol.Delivered(deliveries, delivery.number()));
    return this;
  }
}
