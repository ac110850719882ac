package io.shepherd.member;

import akka.actor.AbstractActor;
import akka.actor.ActorRef;
import akka.actor.ActorSystem;
import akka.cluster.ddata.DurableStore;
import akka.cluster.ddata.GCounter;
import akka.event.Logging;
import akka.event.LoggingAdapter;
import akka.serialization.SerializationExtension;
import akka.serialization.SerializerWithStringManifest;
import com.typesafe.config.Config;
import java.io.File;
import java.io.NotSerializableException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.lmdbjava.CursorIterator;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Distributed Data's durable store with group commit: Akka's {@code LmdbDurableStore} commits
 * (and syncs to disk) every write alone, so a site file whose nodes span 64 keys waited for 64
 * syncs one after another. This store takes every write that has arrived while it was busy into
 * one LMDB transaction: one sync for all of them, and each write is still answered only once its
 * transaction is committed, as Akka's does without write-behind. Same files, database, keys and
 * values as Akka's store: either reads what the other wrote.
 *
 * <p>Runs on Distributed Data's pinned dispatcher (its own thread): blocking on the disk is its job.
 * Configured by {@code akka.cluster.distributed-data.durable} ({@code lmdb.dir}, taken as it is, and
 * {@code lmdb.map-size}).
 */
public final class GroupCommitStore extends AbstractActor {

  /** The database Akka's store keeps its entries in. */
  static final String DATABASE = "ddata";

  /** Sent to itself when the first write of a batch arrives, so that it comes after every write already queued. */
  private enum Commit { INSTANCE }

  private final LoggingAdapter log = Logging.getLogger(getContext().getSystem(), this);
  private final SerializerWithStringManifest serializer;
  private final String manifest;
  private final File dir;
  private final long mapSize;
  /** The writes waiting for the next commit: the latest value per key, and every reply. */
  private final Map<String, DurableStore.DurableDataEnvelope> pending = new LinkedHashMap<>();
  private final List<DurableStore.StoreReply> replies = new ArrayList<>();
  private Env<ByteBuffer> env;
  private Dbi<ByteBuffer> db;
  private ByteBuffer keyBuffer;
  private ByteBuffer valueBuffer;

  public GroupCommitStore(Config config) {
    this.serializer = serializer(getContext().getSystem());
    this.manifest = serializer.manifest(new DurableStore.DurableDataEnvelope(GCounter.empty()));
    this.mapSize = config.getBytes("lmdb.map-size");
    this.dir = new File(config.getString("lmdb.dir")); // always a member's own folder (DurableState.keepIn)
  }

  /** Distributed Data's own serializer of entries (their manifest is the same whatever data they wrap). */
  private static SerializerWithStringManifest serializer(ActorSystem system) {
    try {
      return (SerializerWithStringManifest) SerializationExtension.get(system).serializerFor(DurableStore.DurableDataEnvelope.class);
    } catch (NotSerializableException e) {
      throw new IllegalStateException("Distributed Data's serializer is not configured", e);
    }
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .matchEquals(DurableStore.LoadAll$.MODULE$, m -> loadAll())
        .build();
  }

  private Receive active() {
    return receiveBuilder()
        .match(DurableStore.Store.class, this::onStore)
        .matchEquals(Commit.INSTANCE, m -> commit())
        .build();
  }

  private void loadAll() {
    String[] files = dir.list();
    if (files != null && files.length > 0) {
      long start = System.nanoTime();
      Map<String, DurableStore.DurableDataEnvelope> entries = new HashMap<>();
      try (Txn<ByteBuffer> txn = lmdb().txnRead(); CursorIterator<ByteBuffer> it = db.iterate(txn, KeyRange.all())) {
        for (CursorIterator.KeyVal<ByteBuffer> entry : it.iterable()) {
          String key = StandardCharsets.UTF_8.decode(entry.key()).toString();
          byte[] value = new byte[entry.val().remaining()];
          entry.val().get(value);
          entries.put(key, (DurableStore.DurableDataEnvelope) serializer.fromBinary(value, manifest));
        }
      } catch (RuntimeException | NotSerializableException e) {
        throw new DurableStore.LoadFailed("failed to load durable distributed-data", e);
      }
      if (!entries.isEmpty()) {
        getSender().tell(new DurableStore.LoadData(scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(entries))),
            getSelf());
      }
      log.debug("loaded {} entries in {} ms", entries.size(), (System.nanoTime() - start) / 1_000_000);
    }
    getSender().tell(DurableStore.LoadAllCompleted$.MODULE$, getSelf());
    getContext().become(active());
  }

  private void onStore(DurableStore.Store store) {
    if (pending.isEmpty()) {
      getSelf().tell(Commit.INSTANCE, ActorRef.noSender());
    }
    pending.put(store.key(), store.data());
    if (store.reply().isDefined()) {
      replies.add(store.reply().get());
    }
  }

  /** Writes every pending entry in one transaction, then answers each write. */
  private void commit() {
    if (pending.isEmpty()) {
      return; // every reply waits with its write: none without one
    }
    boolean stored;
    try {
      write();
      stored = true;
    } catch (RuntimeException e) {
      log.error(e, "failed to store {}", String.join(",", pending.keySet()));
      stored = false;
    }
    // From this store, as Akka's answers: a remote replicator counts the acknowledgement by its sender's address.
    for (DurableStore.StoreReply reply : replies) {
      reply.replyTo().tell(stored ? reply.successMsg() : reply.failureMsg(), getSelf());
    }
    pending.clear();
    replies.clear();
  }

  private void write() {
    long start = System.nanoTime();
    Env<ByteBuffer> lmdb = lmdb();
    try (Txn<ByteBuffer> txn = lmdb.txnWrite()) {
      for (Map.Entry<String, DurableStore.DurableDataEnvelope> entry : pending.entrySet()) {
        byte[] value = serializer.toBinary(entry.getValue());
        if (valueBuffer.capacity() < value.length) {
          valueBuffer = ByteBuffer.allocateDirect(value.length * 2);
        }
        keyBuffer.clear();
        keyBuffer.put(entry.getKey().getBytes(StandardCharsets.UTF_8)).flip();
        valueBuffer.clear();
        valueBuffer.put(value).flip();
        db.put(txn, keyBuffer, valueBuffer);
      }
      txn.commit();
    }
    log.debug("stored {} entries ({} writes) in one commit in {} ms", pending.size(), replies.size(),
        (System.nanoTime() - start) / 1_000_000);
  }

  /** Opens the store on first use, as Akka's does. */
  private Env<ByteBuffer> lmdb() {
    if (env == null) {
      log.info("Using durable data in LMDB directory [{}] (group commit)", dir.getAbsolutePath());
      dir.mkdirs();
      env = Env.create().setMapSize(mapSize).setMaxDbs(1).open(dir, EnvFlags.MDB_NOLOCK);
      db = env.openDbi(DATABASE, DbiFlags.MDB_CREATE);
      keyBuffer = ByteBuffer.allocateDirect(env.getMaxKeySize());
      valueBuffer = ByteBuffer.allocateDirect(100 * 1024);
    }
    return env;
  }

  @Override
  public void postRestart(Throwable reason) {
    getContext().become(active()); // loaded once, at the first start, as Akka's store does
  }

  @Override
  public void postStop() {
    commit();
    if (env != null) {
      db.close();
      env.close();
    }
  }
}
