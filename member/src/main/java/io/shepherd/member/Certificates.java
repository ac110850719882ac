package io.shepherd.member;

import io.shepherd.protocol.Names;
import io.shepherd.protocol.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Makes the certificates of a cluster with the JDK's {@code keytool} (nothing is downloaded): a
 * cluster CA, and for each member (or client machine) a key store with its own key and a
 * certificate the CA signed, a trust store that trusts that CA only, and the stores' password.
 *
 * <pre>
 * OUT/ca/ca.p12            the CA's key: keep it safe, offline if you can; it signs new members
 * OUT/ca/ca.crt            the CA's certificate
 * OUT/NAME/keystore.p12    NAME's key and certificate        } copy OUT/NAME to ~/.shepherd/tls
 * OUT/NAME/truststore.p12  the CA's certificate               } on the machine of NAME
 * OUT/NAME/password        the password of both stores        }
 * OUT/NAME/api-tokens      the HTTP API's bearer tokens       }
 * OUT/NAME/ca.pem, cert.pem, key.pem   the same in PEM, for Python, curl and browsers
 * OUT/ca/api-tokens        the tokens: "operate TOKEN" and "read TOKEN" (the same for every member)
 * </pre>
 *
 * Members then talk over TLS with mutual authentication: a peer without a certificate signed by
 * the cluster's CA cannot connect, so its messages reach no actor.
 */
public final class Certificates {

  /** The file names in a member's folder, as {@code shepherd.tls.dir} expects them. */
  public static final String KEY_STORE = TlsFiles.KEY_STORE;
  public static final String TRUST_STORE = TlsFiles.TRUST_STORE;
  public static final String PASSWORD = TlsFiles.PASSWORD;
  /** The HTTP API's bearer tokens: one {@code ROLE TOKEN} per line. */
  public static final String API_TOKENS = TlsFiles.API_TOKENS;

  private Certificates() {}

  /**
   * Creates a CA in {@code out/ca} (or uses the one there) and a folder per name.
   *
   * @param days how long the certificates are valid
   * @throws IllegalArgumentException if a name is not a valid host id or its folder exists already
   * @throws IOException if keytool fails, with its output
   */
  public static void create(Path out, List<String> names, int days) throws IOException, InterruptedException {
    if (names.isEmpty()) {
      throw new IllegalArgumentException("give at least one member name, e.g. --members daq1,daq2,daq3");
    }
    if (days < 1 || days > 36500) {
      throw new IllegalArgumentException("--days must be between 1 and 36500, got " + days);
    }
    for (String name : names) {
      Names.check("member name", name);
      if (Files.exists(out.resolve(name))) {
        throw new IllegalArgumentException(out.resolve(name) + " exists already; remove it or choose another --out");
      }
    }
    Path ca = out.resolve("ca");
    Files.createDirectories(ca);
    String caPassword;
    if (Files.exists(ca.resolve("ca.p12"))) {
      caPassword = Files.readString(ca.resolve(PASSWORD)).trim();
    } else {
      caPassword = password();
      writeSecret(ca.resolve(PASSWORD), caPassword);
      keytool("-genkeypair", "-alias", "ca", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
          "-dname", "CN=Shepherd cluster CA " + Long.toHexString(new SecureRandom().nextLong()), "-ext", "bc:c", "-validity",
          Integer.toString(Math.max(days, 3650)), "-keystore", ca.resolve("ca.p12").toString(), "-storetype", "PKCS12",
          "-storepass", caPassword, "-keypass", caPassword);
      keytool("-exportcert", "-alias", "ca", "-rfc", "-keystore", ca.resolve("ca.p12").toString(), "-storepass", caPassword,
          "-file", ca.resolve("ca.crt").toString());
    }
    if (!Files.exists(ca.resolve(API_TOKENS))) {
      writeSecret(ca.resolve(API_TOKENS), "# Bearer tokens of the HTTP API (Authorization: Bearer TOKEN); the same file on every member.\n"
          + "# operate: every call; read: status, events, logs and metrics only.\n"
          + "operate " + password() + password() + "\nread " + password() + password());
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.min(4, names.size()));
    try {
      List<Future<Void>> made = new ArrayList<>();
      for (String name : names) {
        made.add(pool.submit(() -> {
          member(ca, caPassword, out.resolve(name), name, days);
          return null;
        }));
      }
      for (Future<Void> future : made) {
        try {
          future.get();
        } catch (ExecutionException e) {
          throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  private static void member(Path ca, String caPassword, Path dir, String name, int days) throws IOException, InterruptedException {
    Files.createDirectories(dir);
    String password = password();
    String keyStore = dir.resolve(KEY_STORE).toString();
    Path request = dir.resolve("member.csr");
    Path certificate = dir.resolve("member.crt");
    keytool("-genkeypair", "-alias", "member", "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
        "-dname", "CN=" + name, "-ext", "SAN=dns:" + name + ",dns:localhost,ip:127.0.0.1", "-validity", Integer.toString(days),
        "-keystore", keyStore, "-storetype", "PKCS12",
        "-storepass", password, "-keypass", password);
    keytool("-certreq", "-alias", "member", "-keystore", keyStore, "-storepass", password, "-file", request.toString());
    keytool("-gencert", "-alias", "ca", "-keystore", ca.resolve("ca.p12").toString(), "-storepass", caPassword, "-rfc",
        "-infile", request.toString(), "-outfile", certificate.toString(), "-validity", Integer.toString(days),
        "-ext", "ku:c=digitalSignature,keyAgreement", "-ext", "eku=serverAuth,clientAuth",
        "-ext", "SAN=dns:" + name + ",dns:localhost,ip:127.0.0.1");
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.resolve("ca.crt").toString(), "-keystore", keyStore,
        "-storepass", password);
    keytool("-importcert", "-alias", "member", "-file", certificate.toString(), "-keystore", keyStore, "-storepass", password);
    keytool("-importcert", "-noprompt", "-alias", "ca", "-file", ca.resolve("ca.crt").toString(), "-keystore",
        dir.resolve(TRUST_STORE).toString(), "-storetype", "PKCS12", "-storepass", password);
    keytool("-exportcert", "-alias", "member", "-rfc", "-keystore", keyStore, "-storepass", password, "-file",
        dir.resolve(TlsFiles.CERT_PEM).toString());
    Files.copy(ca.resolve("ca.crt"), dir.resolve(TlsFiles.CA_PEM));
    writeSecret(dir.resolve(TlsFiles.KEY_PEM), privateKeyPem(dir.resolve(KEY_STORE), password));
    writeSecret(dir.resolve(API_TOKENS), Files.readString(ca.resolve(API_TOKENS)).strip());
    Files.delete(request);
    Files.delete(certificate);
    writeSecret(dir.resolve(PASSWORD), password);
  }

  /** The member's private key as PEM (PKCS#8), for clients that read PEM files (Python's ssl, curl). */
  private static String privateKeyPem(Path keyStore, String password) throws IOException {
    try (InputStream in = Files.newInputStream(keyStore)) {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(in, password.toCharArray());
      Key key = store.getKey("member", password.toCharArray());
      return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(key.getEncoded()) + "\n-----END PRIVATE KEY-----";
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot read the key of " + keyStore + ": " + e.getMessage(), e);
    }
  }

  private static String password() {
    byte[] bytes = new byte[18];
    new SecureRandom().nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void writeSecret(Path file, String secret) throws IOException {
    Files.writeString(file, secret + "\n", StandardCharsets.UTF_8);
    try {
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // not a POSIX file system: the folder's permissions protect it
    }
  }

  private static void keytool(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    // The stores' passwords are 144 random bits, kept beside them: key stretching adds nothing to
    // that, and 10,000 rounds (keytool's default) cost every CLI call ~150 ms to open the key store.
    for (String count : List.of("keyPbeIterationCount", "certPbeIterationCount", "macIterationCount")) {
      command.add("-J-Dkeystore.pkcs12." + count + "=1");
    }
    command.addAll(List.of(args));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      process.destroyForcibly();
      throw new IOException("keytool " + args[0] + " failed: " + output.strip());
    }
  }
}
