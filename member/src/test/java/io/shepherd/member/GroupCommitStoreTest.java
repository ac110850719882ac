package io.shepherd.member;

import static org.junit.jupiter.api.Assertions.*;

import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.ExtendedActorSystem;
import akka.actor.PoisonPill;
import akka.actor.Props;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.testkit.typed.javadsl.TestProbe;
import akka.actor.typed.javadsl.Adapter;
import akka.cluster.UniqueAddress;
import akka.cluster.ddata.DurableStore;
import akka.cluster.ddata.GCounter;
import akka.cluster.ddata.LmdbDurableStore;
import akka.cluster.ddata.SelfUniqueAddress;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.Option;
import scala.jdk.javaapi.CollectionConverters;

/** The durable store with group commit: every write answered after its commit, kept across restarts, in Akka's format. */
class GroupCommitStoreTest {

  static final SelfUniqueAddress SELF = new SelfUniqueAddress(new UniqueAddress(new Address("akka", "shepherd", "127.0.0.1", 25520), 1L));

  final ActorTestKit kit = ActorTestKit.create();
  final TestProbe<Object> probe = kit.createTestProbe();

  @TempDir
  Path work;

  int stores;

  @AfterEach
  void shutdown() {
    kit.shutdownTestKit();
  }

  /** Distributed Data's durable settings (as the replicator hands them to its store) with this folder and map size. */
  Config durable(Path dir, String mapSize) {
    return ConfigFactory.parseString("lmdb { dir = \"" + dir + "\", map-size = " + mapSize + " }")
        .withFallback(kit.system().settings().config().getConfig("akka.cluster.distributed-data.durable"));
  }

  ActorRef start(Class<?> store, Config config) {
    // A system actor, as the replicator's store is (a typed system takes no classic top-level actors).
    return ((ExtendedActorSystem) Adapter.toClassic(kit.system())).systemActorOf(Props.create(store, config), "store-" + (++stores));
  }

  /** Stops a store (it closes its files) and waits until it has. */
  void stop(ActorRef store) {
    store.tell(PoisonPill.getInstance(), ActorRef.noSender());
    probe.expectTerminated(Adapter.toTyped(store), Duration.ofSeconds(10));
  }

  /** What a store loads: key to counter value. */
  Map<String, BigInteger> load(ActorRef store) {
    store.tell(DurableStore.LoadAll$.MODULE$, Adapter.toClassic(probe.ref()));
    Map<String, BigInteger> loaded = new HashMap<>();
    Object first = probe.receiveMessage(Duration.ofSeconds(10));
    if (first instanceof DurableStore.LoadData data) {
      CollectionConverters.asJava(data.data()).forEach((key, envelope) -> loaded.put(key, ((GCounter) envelope.data()).getValue()));
      first = probe.receiveMessage(Duration.ofSeconds(10));
    }
    assertSame(DurableStore.LoadAllCompleted$.MODULE$, first);
    return loaded;
  }

  /** An answer and who sent it. */
  record Answer(Object message, ActorRef sender) {}

  /** Hands every answer, with its sender, to the probe: a remote replicator counts an acknowledgement by its sender. */
  static final class Relay extends AbstractActor {
    private final akka.actor.typed.ActorRef<Object> probe;

    Relay(akka.actor.typed.ActorRef<Object> probe) {
      this.probe = probe;
    }

    @Override
    public Receive createReceive() {
      return receiveBuilder().matchAny(m -> probe.tell(new Answer(m, getSender()))).build();
    }
  }

  static DurableStore.Store store(String key, long value, ActorRef replyTo, String id) {
    return new DurableStore.Store(key, new DurableStore.DurableDataEnvelope(GCounter.empty().increment(SELF, value)),
        Option.apply(new DurableStore.StoreReply("stored " + id, "failed " + id, replyTo)));
  }

  @Test
  void everyWriteIsAnsweredAndTheLatestValueOfEachKeyIsLoadedByTheNextStore() {
    Path dir = work.resolve("state");
    ActorRef store = start(GroupCommitStore.class, durable(dir, "10 MiB"));
    assertEquals(Map.of(), load(store), "a new store has nothing");
    ActorRef replyTo = Adapter.toClassic(probe.ref());
    for (int i = 1; i <= 200; i++) {
      store.tell(store("shepherd-nodes-" + (i % 40), i, replyTo, Integer.toString(i)), ActorRef.noSender());
    }
    // A write without a reply (a merge from another replica) is kept as well.
    store.tell(new DurableStore.Store("shepherd-groups", new DurableStore.DurableDataEnvelope(GCounter.empty().increment(SELF, 7)),
        Option.empty()), ActorRef.noSender());
    Set<Object> answers = new HashSet<>(probe.receiveSeveralMessages(200, Duration.ofSeconds(30)));
    for (int i = 1; i <= 200; i++) {
      assertTrue(answers.contains("stored " + i), "write " + i + " answered as stored: " + answers);
    }
    ActorRef relay = ((ExtendedActorSystem) Adapter.toClassic(kit.system())).systemActorOf(Props.create(Relay.class, () -> new Relay(probe.ref())), "relay");
    store.tell(store("shepherd-nodes-0", 1000, relay, "relayed"), ActorRef.noSender());
    assertEquals(new Answer("stored relayed", store), probe.expectMessageClass(Answer.class, Duration.ofSeconds(10)),
        "answered from the store itself");
    stop(store);

    Map<String, BigInteger> loaded = load(start(GroupCommitStore.class, durable(dir, "10 MiB")));
    assertEquals(41, loaded.size(), loaded.toString());
    for (int key = 0; key < 40; key++) {
      assertEquals(BigInteger.valueOf(key == 0 ? 1000 : 160 + key), loaded.get("shepherd-nodes-" + key), "the last write to key " + key);
    }
    assertEquals(BigInteger.valueOf(7), loaded.get("shepherd-groups"));
  }

  @Test
  void itReadsWhatAkkasStoreWroteAndAkkasStoreReadsWhatItWrote() {
    Path dir = work.resolve("state");
    ActorRef replyTo = Adapter.toClassic(probe.ref());
    ActorRef akkas = start(LmdbDurableStore.class, durable(dir, "10 MiB"));
    load(akkas);
    akkas.tell(store("shepherd-layout", 3, replyTo, "by akka"), ActorRef.noSender());
    probe.expectMessage(Duration.ofSeconds(10), "stored by akka");
    stop(akkas);

    ActorRef ours = start(GroupCommitStore.class, durable(dir, "10 MiB"));
    assertEquals(Map.of("shepherd-layout", BigInteger.valueOf(3)), load(ours));
    ours.tell(store("shepherd-epoch", 5, replyTo, "by us"), ActorRef.noSender());
    probe.expectMessage(Duration.ofSeconds(10), "stored by us");
    stop(ours);

    assertEquals(Map.of("shepherd-layout", BigInteger.valueOf(3), "shepherd-epoch", BigInteger.valueOf(5)),
        load(start(LmdbDurableStore.class, durable(dir, "10 MiB"))));
  }

  @Test
  void aWriteThatDoesNotFitIsAnsweredAsFailedAndTheStoreGoesOn() {
    Path dir = work.resolve("state");
    ActorRef store = start(GroupCommitStore.class, durable(dir, "64 KiB"));
    load(store);
    ActorRef replyTo = Adapter.toClassic(probe.ref());
    GCounter big = GCounter.empty();
    for (int node = 0; node < 5000; node++) {
      big = big.increment(new SelfUniqueAddress(new UniqueAddress(new Address("akka", "shepherd", "10.0.0.1", node + 1), node)), 1);
    }
    store.tell(new DurableStore.Store("shepherd-nodes-1", new DurableStore.DurableDataEnvelope(big),
        Option.apply(new DurableStore.StoreReply("stored big", "failed big", replyTo))), ActorRef.noSender());
    probe.expectMessage(Duration.ofSeconds(10), "failed big");
    store.tell(store("shepherd-nodes-2", 2, replyTo, "small"), ActorRef.noSender());
    probe.expectMessage(Duration.ofSeconds(10), "stored small");
    stop(store);
    assertEquals(Map.of("shepherd-nodes-2", BigInteger.valueOf(2)), load(start(GroupCommitStore.class, durable(dir, "64 KiB"))));
  }
}
