package io.shepherd.api;

import akka.http.javadsl.model.AttributeKeys;
import akka.http.javadsl.model.HttpRequest;
import akka.http.javadsl.model.SslSessionInfo;
import io.shepherd.protocol.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;

/**
 * Who makes a request, and what they may do. With TLS on, a request is authenticated by a client
 * certificate signed by the cluster's CA (the TLS handshake has checked it: role operate), or by a
 * bearer token from the tokens file (role read or operate); anything else is refused with 401.
 * Tokens are compared as SHA-256 digests in constant time, against every token, and never logged.
 * With TLS off the API listens on loopback only and every caller may operate.
 */
public final class Auth {

  /** A caller: a name for logs (never a token) and a role. */
  public record Principal(String name, Router.Role role) {
    public boolean may(Router.Role needed) {
      return role == Router.Role.OPERATE || needed == Router.Role.READ;
    }
  }

  private record Token(byte[] digest, Router.Role role, int line) {}

  private final boolean tls;
  private final List<Token> tokens;

  private Auth(boolean tls, List<Token> tokens) {
    this.tls = tls;
    this.tokens = List.copyOf(tokens);
  }

  /** No authentication: the loopback-only API of a member with TLS off. */
  public static Auth open() {
    return new Auth(false, List.of());
  }

  /**
   * Client certificates, and the tokens of {@code tokensFile} if it exists: lines
   * {@code read TOKEN} or {@code operate TOKEN}; blank lines and {@code #} comments are skipped.
   *
   * @throws IllegalArgumentException naming the line of a malformed entry
   */
  public static Auth load(Path tokensFile) {
    List<Token> tokens = new ArrayList<>();
    if (Files.isRegularFile(tokensFile)) {
      List<String> lines;
      try {
        lines = Files.readAllLines(tokensFile, StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new IllegalArgumentException("cannot read the API tokens file " + tokensFile + ": " + e.getMessage());
      }
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i).strip();
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] parts = line.split("\\s+");
        Router.Role role = parts.length == 2 ? role(parts[0]) : null;
        if (role == null || parts[1].length() < 16) {
          throw new IllegalArgumentException(tokensFile + ":" + (i + 1) + ": expected 'read TOKEN' or 'operate TOKEN' with a token of "
              + "16 characters or more (bin/shepherd certs makes this file)");
        }
        tokens.add(new Token(digest(parts[1]), role, i + 1));
      }
    }
    return new Auth(true, tokens);
  }

  /** How many tokens were loaded. */
  public int tokens() {
    return tokens.size();
  }

  /**
   * The caller of a request.
   *
   * @throws ApiException 401 if it carries no valid credentials, 400 if it carries a token in its URL
   */
  public Principal authenticate(HttpRequest request) {
    if (request.getUri().query().get("token").isPresent() || request.getUri().query().get("access_token").isPresent()) {
      throw ApiException.badRequest("a token never goes in a URL (URLs end up in logs and histories); send it in the header "
          + "'Authorization: Bearer TOKEN'");
    }
    if (!tls) {
      return new Principal("loopback", Router.Role.OPERATE);
    }
    Optional<String> certificate = clientCertificate(request);
    if (certificate.isPresent()) {
      return new Principal(certificate.get(), Router.Role.OPERATE);
    }
    Optional<String> authorization = request.getHeader("Authorization").map(h -> h.value());
    if (authorization.isPresent()) {
      String value = authorization.get().strip();
      if (!value.regionMatches(true, 0, "Bearer ", 0, 7)) {
        throw new ApiException(401, ErrorCode.UNAUTHORIZED, "the Authorization header must be 'Bearer TOKEN'");
      }
      byte[] presented = digest(value.substring(7).strip());
      Token matched = null;
      for (Token token : tokens) {
        if (MessageDigest.isEqual(token.digest(), presented) && matched == null) {
          matched = token;
        }
      }
      if (matched != null) {
        return new Principal("token@line" + matched.line(), matched.role());
      }
      throw new ApiException(401, ErrorCode.UNAUTHORIZED, "the bearer token is not one of this cluster's API tokens");
    }
    throw new ApiException(401, ErrorCode.UNAUTHORIZED, "this API needs a client certificate signed by the cluster's CA or a bearer "
        + "token ('Authorization: Bearer TOKEN', from the api-tokens file bin/shepherd certs made)");
  }

  private static Optional<String> clientCertificate(HttpRequest request) {
    Optional<SslSessionInfo> session = request.getAttribute(AttributeKeys.sslSession);
    if (session.isEmpty()) {
      return Optional.empty();
    }
    try {
      Certificate[] chain = session.get().getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate x509) {
        return Optional.of(x509.getSubjectX500Principal().getName());
      }
      return Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  private static Router.Role role(String name) {
    return switch (name.toLowerCase(Locale.ROOT)) {
      case "read" -> Router.Role.READ;
      case "operate" -> Router.Role.OPERATE;
      default -> null;
    };
  }

  private static byte[] digest(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
