package io.shepherd.protocol;

import akka.actor.typed.receptionist.ServiceKey;

/**
 * How members learn of each other's sentinels. A member's sentinel is a small process outside its
 * JVM that, when the JVM dies while the machine runs on (kill -9, the OOM killer, a crash), sends
 * the member's one-time token to the other members, which then down that member at once instead of
 * waiting for the failure detector. The token travels to the other members only inside the
 * cluster (over its authenticated transport), so a datagram carrying it can only come from a
 * member's own sentinel, after its JVM is gone.
 */
public final class SentinelProtocol {

  private SentinelProtocol() {}

  /** Everything a member's obituary desk handles. */
  public interface Command {}

  /** The key under which every member's obituary desk registers with the Receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY = ServiceKey.create(Command.class, "shepherd-obituaries");

  /**
   * A member introduces its sentinel: the datagram with {@code token} means that the member
   * {@code member} (its address) of incarnation {@code uid} has died; and where the receiver's own
   * sentinel is heard ({@code host}, {@code port}, UDP).
   */
  public record Introduce(String member, long uid, String token, String host, int port) implements Command, CborSerializable {}
}
