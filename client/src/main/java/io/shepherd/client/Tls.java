package io.shepherd.client;

import io.shepherd.protocol.TlsFiles;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The client's side of the API's TLS: it trusts the cluster's CA only (the trust store
 * {@code bin/shepherd certs} made), and presents this machine's certificate if it has one (then
 * it needs no token). Like the members among themselves, it does not check host names: members
 * are found by address and their certificates carry member names; a certificate signed by the
 * cluster's own CA is what is trusted.
 */
final class Tls {

  /** The files {@code bin/shepherd certs} writes for each machine. */
  public static final String KEY_STORE = TlsFiles.KEY_STORE;
  public static final String TRUST_STORE = TlsFiles.TRUST_STORE;
  public static final String PASSWORD = TlsFiles.PASSWORD;

  private Tls() {}

  /**
   * An SSL context from a TLS folder.
   *
   * @throws IllegalArgumentException saying which file is missing or unreadable, and how to make it
   */
  public static SSLContext context(Path dir) {
    return context(dir, true);
  }

  /**
   * An SSL context from a TLS folder; with {@code withKey} false, without this machine's key (a
   * client that authenticates with a token: loading a key store costs ~150 ms of a CLI call).
   */
  public static SSLContext context(Path dir, boolean withKey) {
    Path trustFile = dir.resolve(TRUST_STORE);
    Path passwordFile = dir.resolve(PASSWORD);
    if (!Files.isReadable(trustFile) || !Files.isReadable(passwordFile)) {
      throw new IllegalArgumentException("the API is HTTPS, and " + dir + " has no " + TRUST_STORE + " and " + PASSWORD + " to trust "
          + "the cluster's CA with; make the cluster's certificates with bin/shepherd certs --out DIR --members NAME,... and copy "
          + "DIR/NAME to " + dir + " (or set shepherd.tls.dir)");
    }
    try {
      char[] password = Files.readString(passwordFile).trim().toCharArray();
      KeyStore trust = load(trustFile, password);
      TrustManagerFactory trustFactory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trustFactory.init(trust);
      X509TrustManager ca = null;
      for (TrustManager manager : trustFactory.getTrustManagers()) {
        if (manager instanceof X509TrustManager x509) {
          ca = x509;
        }
      }
      KeyManager[] keys = null;
      Path keyFile = dir.resolve(KEY_STORE);
      if (withKey && Files.isReadable(keyFile)) {
        KeyManagerFactory keyFactory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyFactory.init(load(keyFile, password), password);
        keys = keyFactory.getKeyManagers();
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, new TrustManager[] {new ClusterCa(ca)}, null);
      return context;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the certificates in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static KeyStore load(Path file, char[] password) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(file)) {
      store.load(in, password);
    }
    return store;
  }

  /** Trusts a server whose chain the cluster's CA signed, whatever its host name. */
  private static final class ClusterCa extends X509ExtendedTrustManager {
    private final X509TrustManager ca;

    ClusterCa(X509TrustManager ca) {
      this.ca = ca;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      ca.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      ca.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      ca.checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
      throw new CertificateException("a client does not accept connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
      throw new CertificateException("a client does not accept connections");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
      throw new CertificateException("a client does not accept connections");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return ca.getAcceptedIssuers();
    }
  }
}
