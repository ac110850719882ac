package io.shepherd.manager.internal;

import akka.actor.typed.ActorRef;
import io.shepherd.protocol.ErrorCode;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.ManagerProtocol.Reply;

/** Answers to calls: sent only if someone waits for them. */
public final class Replies {

  private Replies() {}

  public static void reply(ActorRef<Reply> replyTo, Reply reply) {
    if (replyTo != null) {
      replyTo.tell(reply);
    }
  }

  public static void fail(ActorRef<Reply> replyTo, ErrorCode code, String message) {
    reply(replyTo, new ManagerProtocol.Failed(code, message));
  }

  /** The answer to a change this Manager recorded but a majority of manager members did not, in time. */
  public static ManagerProtocol.Failed notReplicated(String what) {
    return new ManagerProtocol.Failed(ErrorCode.NOT_REPLICATED, what + " and recorded by this Manager, but not by a majority "
        + "of manager members in time; it may be lost if this Manager fails before they catch up");
  }
}
