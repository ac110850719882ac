package io.shepherd.protocol;

import akka.actor.typed.ActorRef;
import akka.actor.typed.receptionist.ServiceKey;
import java.util.List;

/**
 * The messages of the log server: batches from every member's forwarder, acknowledged once the
 * server has written and streamed their records, and subscriptions and tail queries from clients.
 * Every record carries its source and that source's sequence number, so a loss shows as a gap.
 */
public final class LogProtocol {

  private LogProtocol() {}

  /** Everything the log server handles. */
  public interface Command {}

  /** The key under which the log server registers with the Receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "shepherd-log-server");

  /**
   * Records of one source, numbered {@code firstSeq} onwards without a gap.
   *
   * @param dropped records the source's buffer dropped (it was full) since its previous batch; each
   *     drop is also reported as a WARN record of the source
   */
  public record LogBatch(String source, long firstSeq, List<LogRecord> records, long dropped, ActorRef<Ack> replyTo)
      implements Command, CborSerializable {
    public LogBatch {
      records = List.copyOf(records);
    }
  }

  /** The server has written and streamed every record of {@code source} up to {@code upTo}: the forwarder may forget them. */
  public record Ack(String source, long upTo) implements CborSerializable {}

  /**
   * Stream matching records to {@code subscriber}: first those the server still holds from the
   * filter's {@code since}, then each new one. A subscriber acknowledges each delivery; one that
   * falls behind has records dropped, and counted in its next delivery, rather than slowing anyone.
   */
  public record Subscribe(LogFilter filter, ActorRef<Delivery> subscriber) implements Command, CborSerializable {}

  /** Stop a subscription. */
  public record Unsubscribe(ActorRef<Delivery> subscriber) implements Command, CborSerializable {}

  /**
   * Records for a subscriber, in time order.
   *
   * @param number the delivery's number, to acknowledge
   * @param dropped how many matching records were dropped for this subscriber since the last delivery
   */
  public record Delivery(long number, List<LogRecord> records, long dropped, ActorRef<Command> server)
      implements CborSerializable {
    public Delivery {
      records = List.copyOf(records);
    }
  }

  /** A subscriber has handled deliveries up to {@code number}. */
  public record Delivered(ActorRef<Delivery> subscriber, long number) implements Command, CborSerializable {}

  /** The newest matching records the server holds in memory, at most {@code limit}, oldest first. */
  public record QueryTail(LogFilter filter, int limit, ActorRef<Tail> replyTo) implements Command, CborSerializable {
    /** Most records one query returns. */
    public static final int MAX_LIMIT = 10_000;

    public QueryTail {
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new IllegalArgumentException("a tail has 1 to " + MAX_LIMIT + " records, not " + limit);
      }
    }
  }

  /** The answer to {@link QueryTail}. */
  public record Tail(List<LogRecord> records, LogStats stats) implements CborSerializable {
    public Tail {
      records = List.copyOf(records);
    }
  }

  /**
   * The log server's counters, also in the cluster status.
   *
   * @param records records received
   * @param sources member incarnations that sent records
   * @param gaps gaps in the sources' numbering: each a run of lost records
   * @param missing records lost in those gaps
   * @param dropped records the members' buffers dropped because they were full (reported by them)
   * @param late records that came after their reorder window (a member's start-up records, sent once
   *     it joined): written after later ones, each marked {@code LATE} in the file
   * @param file the file the server writes to, or null if it writes none
   */
  public record LogStats(long records, int sources, long gaps, long missing, long dropped, long late, String file)
      implements CborSerializable {}
}
