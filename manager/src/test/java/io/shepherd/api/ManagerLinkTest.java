package io.shepherd.api;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.receptionist.Receptionist;
import io.shepherd.ShepherdConfig;
import io.shepherd.protocol.ClusterStatus;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.protocol.NodePath;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Status calls of one API member that arrive together reach the Manager as one question, asked after they arrived. */
class ManagerLinkTest {

  /** One system per test: a system has one link, and the Manager a test registers stays registered in it. */
  ActorTestKit kit;

  @BeforeEach
  void start() {
    kit = ActorTestKit.create("link", ShepherdConfig.load(TestConfig.local()));
  }

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  static ClusterStatus status(long epoch) {
    return new ClusterStatus(new ClusterStatus.Manager("akka://link@127.0.0.1:2551", epoch, null), List.of(), List.of(), List.of(),
        List.of(), true, null);
  }

  @Test
  void fiveStatusCallsAtOnceAskTheManagerTwiceAndEachGetsAStatusAskedAfterIt() throws Exception {
    TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
    ManagerLink link = linkTo(manager);

    CompletableFuture<ClusterStatus> first = link.status().toCompletableFuture();
    ManagerProtocol.GetStatus asked = manager.expectMessageClass(ManagerProtocol.GetStatus.class);
    List<CompletableFuture<ClusterStatus>> later = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      later.add(link.status().toCompletableFuture());
    }
    manager.expectNoMessage(Duration.ofMillis(300));
    asked.replyTo().tell(new ManagerProtocol.StatusPart(0, 1, status(1)));
    assertEquals(1, first.get(10, TimeUnit.SECONDS).manager().epoch());

    ManagerProtocol.GetStatus askedAgain = manager.expectMessageClass(ManagerProtocol.GetStatus.class);
    askedAgain.replyTo().tell(new ManagerProtocol.StatusPart(0, 1, status(2)));
    for (CompletableFuture<ClusterStatus> call : later) {
      assertEquals(2, call.get(10, TimeUnit.SECONDS).manager().epoch());
    }
    manager.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void whenTheManagerLeavesACommandInFlightFailsWithoutInvitingARetryAndAStatusInvitesOne() throws Exception {
    TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
    ManagerLink link = linkTo(manager);
    CompletableFuture<ManagerProtocol.Reply> command = link.call(
        replyTo -> new ManagerProtocol.RemoveNode(NodePath.parse("daq1/acq/sine"), replyTo), ManagerProtocol.Reply.class)
        .toCompletableFuture();
    manager.expectMessageClass(ManagerProtocol.RemoveNode.class);
    CompletableFuture<ClusterStatus> status = link.status().toCompletableFuture();
    manager.expectMessageClass(ManagerProtocol.GetStatus.class);

    kit.system().receptionist().tell(Receptionist.deregister(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    ApiException commandError = failure(command);
    assertEquals(502, commandError.status(), "a command that may have taken effect is not to be repeated blindly");
    assertNull(commandError.retryAfterSeconds());
    assertTrue(commandError.getMessage().contains("may or may not have taken effect"), commandError.getMessage());
    ApiException statusError = failure(status);
    assertEquals(503, statusError.status());
    assertEquals(2, statusError.retryAfterSeconds());
  }

  /** A link of this test's system that follows {@code manager}, registered as the Manager. */
  private ManagerLink linkTo(TestProbe<ManagerProtocol.Command> manager) {
    kit.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    ManagerLink link = ManagerLink.start(kit.system(), Duration.ofSeconds(20));
    manager.awaitAssert(Duration.ofSeconds(10), () -> {
      assertEquals(manager.getRef(), link.manager());
      return null;
    });
    return link;
  }

  private static ApiException failure(CompletableFuture<?> call) throws Exception {
    try {
      call.get(10, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable cause = e.getCause();
      while (cause instanceof java.util.concurrent.CompletionException && cause.getCause() != null) {
        cause = cause.getCause();
      }
      return assertInstanceOf(ApiException.class, cause);
    }
    return fail("the call succeeded");
  }
}
