package io.shepherd.member;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.shepherd.host.HostSettings;
import java.io.File;
import java.nio.Buffer;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.lmdbjava.CursorIterator;
import org.lmdbjava.Dbi;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.KeyRange;
import org.lmdbjava.Txn;

/**
 * Where a manager member keeps the desired state on disk: Distributed Data's durable store (LMDB,
 * in Akka's format, written by {@link GroupCommitStore}) holds every {@code shepherd-*} key (groups,
 * nodes, checkpoints, the Manager epoch), written before a write is acknowledged, and loaded when
 * the member starts.
 * After every member stopped, the first Manager reads it back from the members that return; their
 * replicas merge as any do.
 */
public final class DurableState {

  /** The Distributed Data keys kept on disk: every key of the desired state. */
  static final String KEYS = "shepherd-*";

  /** What a member's JVM needs for LMDB (lmdbjava reads the address of direct buffers); bin/shepherd and LocalCluster add them. */
  public static final List<String> JVM_OPTIONS = List.of("--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED");

  private DurableState() {}

  /** The store's folder for a manager member with this (resolved) configuration; empty: in memory only. */
  public static Optional<Path> dir(Config config) {
    String setting = config.getString("shepherd.manager.state-dir").trim();
    int port = config.getInt("akka.remote.artery.canonical.port");
    if (setting.equals("off") || setting.isEmpty() && port == 0) {
      return Optional.empty();
    }
    if (!setting.isEmpty()) {
      return Optional.of(Path.of(setting).toAbsolutePath());
    }
    return Optional.of(HostSettings.workRoot(config.getString("shepherd.host.work-root")).resolve("manager-" + port));
  }

  /** The configuration with Distributed Data's durable store in {@code dir}. */
  static Config keepIn(Config config, Path dir) {
    return ConfigFactory.empty()
        .withValue("akka.cluster.distributed-data.durable.keys", ConfigValueFactory.fromIterable(List.of(KEYS)))
        .withValue("akka.cluster.distributed-data.durable.lmdb.dir", ConfigValueFactory.fromAnyRef(dir.toString()))
        .withValue("akka.cluster.distributed-data.durable.store-actor-class",
            ConfigValueFactory.fromAnyRef(config.getString("shepherd.manager.state-store")))
        .withFallback(config);
  }

  /**
   * Reads every entry of the store in {@code dir}, as the member will when it starts, so that a
   * store that cannot be read stops the member before it joins, with the way out. A missing or
   * empty folder is a new store.
   *
   * @throws IllegalStateException if the store cannot be read
   */
  static void check(Path dir, long mapSize) {
    Module java = Buffer.class.getModule();
    Module lmdb = Env.class.getModule();
    if (!java.isOpen(Buffer.class.getPackageName(), lmdb) || !java.isExported("sun.nio.ch", lmdb)) {
      throw new IllegalStateException("this JVM was started without " + String.join(" ", JVM_OPTIONS) + ", which the desired "
          + "state's store on disk "
          + "(LMDB) needs: add it to the member's JVM options (bin/shepherd member does), or set shepherd.manager.state-dir = off "
          + "to keep the desired state in memory only");
    }
    if (!Files.exists(dir.resolve("data.mdb"))) {
      return;
    }
    try (Env<ByteBuffer> env = Env.create().setMapSize(mapSize).setMaxDbs(1).open(dir.toFile(), EnvFlags.MDB_RDONLY_ENV,
        EnvFlags.MDB_NOLOCK)) {
      if (!env.getDbiNames().isEmpty()) {
        Dbi<ByteBuffer> db = env.openDbi(GroupCommitStore.DATABASE);
        try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterator<ByteBuffer> entries = db.iterate(txn, KeyRange.all())) {
          for (CursorIterator.KeyVal<ByteBuffer> entry : entries.iterable()) {
            entry.val().remaining();
          }
        }
      }
    } catch (RuntimeException e) {
      throw unreadable(dir, e.toString());
    }
  }

  /** What a member says when its store cannot be read: what, and the way out. */
  static IllegalStateException unreadable(Path dir, String why) {
    File moved = new File(dir + ".unreadable");
    return new IllegalStateException("the desired state kept on disk in " + dir + " cannot be read (" + why + "). This member "
        + "does not start, so that the cluster never comes back silently empty. To start afresh from the site file: move the "
        + "folder away (mv " + dir + " " + moved + "), start the member again, and apply the site file (shepherd apply SITE); "
        + "if other manager members still hold the desired state, this member gets it back from them when it joins");
  }
}
