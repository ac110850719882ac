package io.shepherd.host.internal;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.NoSerializationVerificationNeeded;
import akka.actor.typed.ActorRef;
import akka.actor.typed.Behavior;
import akka.actor.typed.javadsl.Behaviors;
import akka.actor.typed.receptionist.Receptionist;
import com.typesafe.config.ConfigFactory;
import io.shepherd.host.HostSettings;
import io.shepherd.protocol.GroupPath;
import io.shepherd.protocol.HostInfo;
import io.shepherd.protocol.HostProtocol;
import io.shepherd.protocol.ManagerProtocol;
import io.shepherd.testing.TestConfig;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The host's registration with the Manager (Flink's RetryingRegistration), in a bare actor that only holds the connection. */
class ManagerConnectionTest {

  static final Duration WAIT = Duration.ofSeconds(10);

  final ActorTestKit kit = ActorTestKit.create("connection", ConfigFactory.parseString("""
      shepherd.host.id = daq1
      shepherd.host.registration { min-backoff = 5s, max-backoff = 10s, declined-backoff = 300ms }
      shepherd.host.manager-loss-timeout = 400ms
      """).withFallback(TestConfig.local()));
  /** What the connection tells its agent: "connected EPOCH", "lost", "no manager". */
  final TestProbe<String> told = kit.createTestProbe();

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  static final HostInfo INFO = new HostInfo("daq1", "akka://connection@127.0.0.1:1", 1, List.of("noop"), List.of(), 1, List.of(),
      "cgroup v2: memory, pids");

  /** Tells the holder's connection that the host is ready to register, as {@link #INFO}. */
  enum BeReady implements HostProtocol.Command, NoSerializationVerificationNeeded { INSTANCE }

  /** An actor that holds a connection, ready at once, and hands it its messages, as the host agent does. */
  Behavior<HostProtocol.Command> holder() {
    return holder(true);
  }

  Behavior<HostProtocol.Command> holder(boolean readyAtOnce) {
    HostSettings settings = HostSettings.create(kit.system());
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      ManagerConnection connection = new ManagerConnection(ctx, timers, settings, new ManagerConnection.Listener() {
        @Override
        public void connected(ActorRef<ManagerProtocol.Command> manager, long epoch) {
          told.getRef().tell("connected " + epoch);
        }

        @Override
        public void lost() {
          told.getRef().tell("lost");
        }

        @Override
        public void noManagerFor(Duration timeout) {
          told.getRef().tell("no manager");
        }
      });
      if (readyAtOnce) {
        connection.ready(INFO);
      }
      return Behaviors.receive(HostProtocol.Command.class)
          .onMessage(BeReady.class, m -> same(() -> connection.ready(INFO)))
          .onMessage(ManagerConnection.Listing.class, m -> same(() -> connection.onListing(m)))
          .onMessage(ManagerConnection.RetryRegistration.class, m -> same(connection::onRetry))
          .onMessage(HostProtocol.Registered.class, m -> same(() -> connection.onRegistered(m)))
          .onMessage(HostProtocol.Declined.class, m -> same(() -> connection.onDeclined(m)))
          .onMessage(HostProtocol.Reconnect.class, m -> same(() -> connection.onReconnect(m)))
          .onMessage(ManagerConnection.ManagerTerminated.class, m -> same(() -> connection.onTerminated(m)))
          .onMessage(ManagerConnection.LossTimeout.class, m -> same(connection::onLossTimeout))
          .onMessage(HostProtocol.ManagerCommand.class, m -> {
            told.getRef().tell((connection.isStale(m) ? "stale " : "fresh ") + m.epoch());
            return Behaviors.same();
          })
          .build();
    }));
  }

  static Behavior<HostProtocol.Command> same(Runnable handler) {
    handler.run();
    return Behaviors.same();
  }

  TestProbe<ManagerProtocol.Command> listedManager() {
    TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
    kit.system().receptionist().tell(Receptionist.register(ManagerProtocol.SERVICE_KEY, manager.getRef()));
    return manager;
  }

  @Test
  void aHostRegistersOnlyOnceReadyWithTheManagerListedBeforeAndAsItSaysItIs() {
    TestProbe<ManagerProtocol.Command> manager = listedManager();
    ActorRef<HostProtocol.Command> host = kit.spawn(holder(false));
    host.tell(new HostProtocol.Reconnect(3, manager.getRef()));
    manager.expectNoMessage(Duration.ofMillis(300));
    host.tell(BeReady.INSTANCE);
    assertEquals(INFO, manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT).info());
  }

  @Test
  void aDeclinedHostWaitsTheDeclinedBackoffThenAnOlderEpochIsIgnoredAndCommandsAreFenced() {
    TestProbe<ManagerProtocol.Command> manager = listedManager();
    ActorRef<HostProtocol.Command> host = kit.spawn(holder());
    manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT);
    host.tell(new HostProtocol.Declined(3, "host id daq1 is already registered"));
    manager.expectNoMessage(Duration.ofMillis(100));
    // The declined backoff (300 ms), not the registration backoff (5 s): well within 4 s.
    manager.expectMessageClass(ManagerProtocol.RegisterHost.class, Duration.ofSeconds(4));

    host.tell(new HostProtocol.Registered(5, manager.getRef()));
    assertEquals("connected 5", told.receiveMessage(WAIT));
    host.tell(new HostProtocol.Registered(4, manager.getRef()));
    host.tell(new HostProtocol.CreateGroup(4, GroupPath.parse("daq1/acq")));
    assertEquals("stale 4", told.receiveMessage(WAIT), "an older Manager's registration changed nothing");
    host.tell(new HostProtocol.CreateGroup(5, GroupPath.parse("daq1/acq")));
    assertEquals("fresh 5", told.receiveMessage(WAIT));
  }

  @Test
  void aTerminatedManagerIsLostAndTheNextOneInTimeKeepsTheDeadManSwitchOff() {
    TestProbe<ManagerProtocol.Command> first = listedManager();
    ActorRef<HostProtocol.Command> host = kit.spawn(holder());
    host.tell(new HostProtocol.Registered(1, first.getRef()));
    assertEquals("connected 1", told.receiveMessage(WAIT));
    TestProbe<ManagerProtocol.Command> second = listedManager();
    first.stop();
    assertEquals("lost", told.receiveMessage(WAIT));
    second.expectMessageClass(ManagerProtocol.RegisterHost.class, Duration.ofSeconds(4)); // at once, not after 5 s
    host.tell(new HostProtocol.Registered(2, second.getRef()));
    assertEquals("connected 2", told.receiveMessage(WAIT));
    told.expectNoMessage(Duration.ofMillis(600)); // past manager-loss-timeout: no dead-man switch
  }

  @Test
  void withNoManagerForTheLossTimeoutTheDeadManSwitchFires() {
    TestProbe<ManagerProtocol.Command> manager = listedManager();
    ActorRef<HostProtocol.Command> host = kit.spawn(holder());
    host.tell(new HostProtocol.Registered(1, manager.getRef()));
    assertEquals("connected 1", told.receiveMessage(WAIT));
    manager.stop();
    assertEquals("lost", told.receiveMessage(WAIT));
    assertEquals("no manager", told.receiveMessage(WAIT));
  }

  @Test
  void aNewIncarnationsReconnectIsAnsweredWithARegistrationAndAnOldOnesIsNot() {
    TestProbe<ManagerProtocol.Command> manager = kit.createTestProbe();
    ActorRef<HostProtocol.Command> host = kit.spawn(holder());
    host.tell(new HostProtocol.Registered(7, manager.getRef()));
    assertEquals("connected 7", told.receiveMessage(WAIT));
    host.tell(new HostProtocol.Reconnect(7, manager.getRef()));
    manager.expectNoMessage(Duration.ofMillis(200));
    host.tell(new HostProtocol.Reconnect(8, manager.getRef()));
    assertEquals("daq1", manager.expectMessageClass(ManagerProtocol.RegisterHost.class, WAIT).info().hostId());
  }
}
