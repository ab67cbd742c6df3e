package io.vstp.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vstp.cli.CliEndToEndTest.Run;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * End-to-end encryption, signatures and the key ring through the real command: {@code vstp serve} as a process,
 * {@code keys}, {@code put --to --sign} and {@code get} in-process over TLS on 127.0.0.1, with Alice, Bob and
 * Mallory each holding their own key ring.
 */
class CliCryptoTest {
    @TempDir
    static Path tmp;

    private static Process server;
    private static Path served;
    private static int port;
    private static String fingerprint;
    private static Path passphrase;

    @BeforeAll
    static void startServer() throws Exception {
        served = tmp.resolve("served");
        passphrase = Files.writeString(tmp.resolve("pass.txt"), "test passphrase, long enough\n");
        server = CliEndToEndTest.vstp(
                tmp.resolve("server-home"), "serve", "--host", "127.0.0.1", "--port", "0", "--dir", served.toString());
        BufferedReader lines =
                new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
        Pattern listening =
                Pattern.compile("listening on tcp\\+udp 127\\.0\\.0\\.1:(\\d+), .*certificate (sha256:[0-9a-f]{64})");
        for (String line; (line = lines.readLine()) != null; ) {
            Matcher m = listening.matcher(line);
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
                fingerprint = m.group(2);
                break;
            }
        }
        assertThat(port).as("serve printed its listening line").isPositive();
    }

    @AfterAll
    static void stopServer() throws Exception {
        server.destroy();
        assertThat(server.waitFor(15, TimeUnit.SECONDS)).isTrue();
    }

    /** {@code vstp ARGS} as {@code who}, with that person's key ring and the test passphrase. */
    private static Run as(String who, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(
                List.of("--keyring", tmp.resolve(who + ".p12").toString(), "--passphrase-file", passphrase.toString()));
        return CliEndToEndTest.run(all.toArray(String[]::new));
    }

    private static Run transfer(String who, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--pin", fingerprint, "--token-file", tokenFile()));
        return as(who, all.toArray(String[]::new));
    }

    /** The access token the server made on its first start (decision 009). */
    private static String tokenFile() {
        return tmp.resolve("server-home")
                .resolve(ServeCommand.ACCESS_TOKEN_FILE)
                .toString();
    }

    private static String addr(String path) {
        return "127.0.0.1:" + port + "/" + path;
    }

    private static void ok(Run r) {
        assertThat(r.code()).as(r.out() + r.err()).isZero();
    }

    @Test
    void encryptedSignedTransferOnlyTheRecipientCanReadAndTamperingIsRefused() throws Exception {
        ok(as("alice", "keys", "generate", "alice"));
        ok(as("alice", "keys", "generate", "alice", "--type", "ml-dsa-65"));
        ok(as("bob", "keys", "generate", "bob"));
        ok(as("mallory", "keys", "generate", "mallory"));
        Path bobPub = tmp.resolve("bob.pub");
        ok(as("bob", "keys", "export", "bob", "-o", bobPub.toString()));
        ok(as("alice", "keys", "import", bobPub.toString()));
        Path aliceSigning = tmp.resolve("alice-sign.pub");
        ok(as("alice", "keys", "export", "alice", "--signing", "-o", aliceSigning.toString()));
        ok(as("bob", "keys", "import", aliceSigning.toString()));
        assertThat(as("bob", "keys", "list").out())
                .contains("alice", "ml-dsa-65", "imported", "bob", "x25519-mlkem768");

        byte[] secret = ("quarterly numbers: " + "4".repeat(200_000)).getBytes(StandardCharsets.UTF_8);
        Path plain = Files.write(tmp.resolve("q3.txt"), secret);
        Run put = transfer(
                "alice",
                "put",
                plain.toString(),
                addr("shared/q3.txt"),
                "--to",
                "bob",
                "--to",
                "alice",
                "--sign",
                "alice");
        ok(put);
        assertThat(put.out()).contains("encrypted end to end for bob", "signed by alice (ml-dsa-65)");

        // The server holds ciphertext only, and a signature beside it.
        byte[] stored = Files.readAllBytes(served.resolve("shared/q3.txt"));
        assertThat(new String(stored, 0, 7, StandardCharsets.US_ASCII)).isEqualTo("VSTPE2E");
        assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("quarterly", "4444444444");
        assertThat(served.resolve("shared/q3.txt.vstp-sig")).exists();

        Path bobCopy = tmp.resolve("bob-q3.txt");
        Run get = transfer("bob", "get", addr("shared/q3.txt"), bobCopy.toString());
        ok(get);
        assertThat(bobCopy).hasBinaryContent(secret);
        assertThat(get.out()).contains("signature valid: signed by alice", "ml-dsa-65", "decrypted with key");
        // The same get again: the decrypted copy is recognised, nothing downloaded or replaced, signature checked.
        Run again = transfer("bob", "get", addr("shared/q3.txt"), bobCopy.toString());
        ok(again);
        assertThat(again.out()).contains("already there", "the decryption of it", "signature valid");
        assertThat(bobCopy).hasBinaryContent(secret);
        // Changed since: no longer the decryption, so replacing it needs --force, as for any other file.
        Files.write(bobCopy, "bob's own notes".getBytes(StandardCharsets.UTF_8));
        Run changed = transfer("bob", "get", addr("shared/q3.txt"), bobCopy.toString());
        assertThat(changed.code()).as(changed.err()).isEqualTo(ExitCodes.IO);
        assertThat(changed.err()).contains("exists; get --force replaces it");
        ok(transfer("bob", "get", addr("shared/q3.txt"), bobCopy.toString(), "--force"));
        assertThat(bobCopy).hasBinaryContent(secret);
        Path aliceCopy = tmp.resolve("alice-q3.txt");
        ok(transfer("alice", "get", addr("shared/q3.txt"), aliceCopy.toString()));
        assertThat(aliceCopy).hasBinaryContent(secret);
        // To standard output, an encrypted file is refused before a byte goes out: it decrypts only into a file.
        ok(transfer("alice", "put", plain.toString(), addr("shared/q3-unsigned.txt"), "--to", "bob"));
        Run toStdout = transfer("bob", "get", addr("shared/q3-unsigned.txt"), "-");
        assertThat(toStdout.code()).as(toStdout.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(toStdout.err()).contains("is end-to-end encrypted: get it into a file");

        // Mallory trusts Alice's signature but holds no key the file is encrypted to.
        ok(as("mallory", "keys", "import", aliceSigning.toString()));
        Path malloryCopy = tmp.resolve("mallory-q3.txt");
        Run denied = transfer("mallory", "get", addr("shared/q3.txt"), malloryCopy.toString());
        assertThat(denied.code()).as(denied.err()).isEqualTo(ExitCodes.DENIED);
        assertThat(denied.err()).contains("none of which is in the key ring");
        assertThat(malloryCopy).doesNotExist();

        // Keeping it encrypted stores the ciphertext as is.
        Path kept = tmp.resolve("kept.vse");
        ok(transfer("mallory", "get", addr("shared/q3.txt"), kept.toString(), "--keep-encrypted"));
        assertThat(kept).hasBinaryContent(stored);

        // Someone with write access to the store flips one byte: the signature no longer matches.
        byte[] altered = stored.clone();
        altered[altered.length - 3] ^= 1;
        Files.write(served.resolve("shared/q3.txt"), altered);
        Path tampered = tmp.resolve("tampered.txt");
        Run refused = transfer("bob", "get", addr("shared/q3.txt"), tampered.toString());
        assertThat(refused.code()).as(refused.err()).isEqualTo(ExitCodes.TRUST);
        assertThat(refused.err()).contains("does not match");
        assertThat(tampered).doesNotExist();

        // Without the signature, decryption itself refuses the altered chunk, and leaves nothing behind.
        Files.delete(served.resolve("shared/q3.txt.vstp-sig"));
        Run undecryptable = transfer("bob", "get", addr("shared/q3.txt"), tampered.toString());
        assertThat(undecryptable.code()).as(undecryptable.err()).isEqualTo(ExitCodes.TRUST);
        assertThat(undecryptable.err()).contains("cannot decrypt", "failed authentication");
        assertThat(tampered).doesNotExist();
        try (var left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()))
                    .noneMatch(n -> n.startsWith(".vstp-get-") || n.endsWith(".tmp"));
        }
        Run required = transfer("bob", "get", addr("shared/q3.txt"), tampered.toString(), "--require-signature");
        assertThat(required.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(required.err()).contains("has no signature");
    }

    @Test
    void unsignedPlainTransfersNeverAskForTheKeyRingAndForgedSignaturesAreRefused() throws Exception {
        Path file = Files.write(tmp.resolve("plain.bin"), new byte[] {1, 2, 3});
        ok(CliEndToEndTest.run(
                "put",
                file.toString(),
                addr("plain.bin"),
                "--pin",
                fingerprint,
                "--keyring",
                tmp.resolve("nobody.p12").toString(),
                "--token-file",
                tokenFile()));
        ok(CliEndToEndTest.run(
                "get",
                addr("plain.bin"),
                tmp.resolve("plain-back.bin").toString(),
                "--pin",
                fingerprint,
                "--keyring",
                tmp.resolve("nobody.p12").toString(),
                "--token-file",
                tokenFile()));
        assertThat(tmp.resolve("nobody.p12")).doesNotExist();

        // Carol signs with Ed25519; Dave imports her key. A signature copied onto another file is refused.
        ok(as("carol", "keys", "generate", "carol", "--type", "ed25519"));
        Path carolPub = tmp.resolve("carol.pub");
        ok(as("carol", "keys", "export", "carol", "--signing", "-o", carolPub.toString()));
        ok(as("dave", "keys", "import", carolPub.toString()));
        Path report = Files.write(tmp.resolve("report.bin"), randomBytes(100_000));
        ok(transfer("carol", "put", report.toString(), addr("report.bin"), "--sign", "carol"));
        Path back = tmp.resolve("report-back.bin");
        Run verified = transfer("dave", "get", addr("report.bin"), back.toString(), "--require-signature");
        ok(verified);
        assertThat(verified.out()).contains("signature valid: signed by carol", "ed25519");
        assertThat(back).hasSameBinaryContentAs(report);

        // Uploading a new version without signing it warns that the old signature stays and no longer matches.
        Run unsigned = transfer("carol", "put", report.toString(), addr("report-copy.bin"));
        ok(unsigned);
        assertThat(unsigned.err()).doesNotContain("warning");
        Files.copy(served.resolve("report.bin.vstp-sig"), served.resolve("report-copy.bin.vstp-sig"));
        Run stale = transfer("carol", "put", plain().toString(), addr("report-copy.bin"), "--force");
        ok(stale);
        assertThat(stale.err()).contains("warning: report-copy.bin.vstp-sig is a signature of an earlier upload");

        Files.copy(served.resolve("report.bin.vstp-sig"), served.resolve("plain.bin.vstp-sig"));
        Run moved =
                transfer("dave", "get", addr("plain.bin"), tmp.resolve("p2.bin").toString());
        assertThat(moved.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(moved.err()).contains("for 'report.bin'");

        // An unknown signer is not trusted.
        Run unknown = transfer(
                "erin", "get", addr("report.bin"), tmp.resolve("r3.bin").toString(), "--require-signature");
        assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE); // erin has no key ring at all
        ok(as("erin", "keys", "generate", "erin"));
        unknown = transfer(
                "erin", "get", addr("report.bin"), tmp.resolve("r3.bin").toString());
        assertThat(unknown.code()).isEqualTo(ExitCodes.TRUST);
        assertThat(unknown.err()).contains("not in the key ring");
        assertThat(tmp.resolve("r3.bin")).doesNotExist();
    }

    @Test
    void putWithASigningKeyItCannotUseUploadsNothing() throws Exception {
        ok(as("ivan", "keys", "generate", "ivan"));
        ok(as("judy", "keys", "generate", "judy", "--type", "ed25519"));
        Path judyPub = tmp.resolve("judy-sign.pub");
        ok(as("judy", "keys", "export", "judy", "--signing", "-o", judyPub.toString()));
        ok(as("ivan", "keys", "import", judyPub.toString()));
        Path file = Files.write(tmp.resolve("ivan.bin"), randomBytes(5_000));

        Run noKey = transfer("ivan", "put", file.toString(), addr("ivan-nokey.bin"), "--sign", "ivan");
        assertThat(noKey.code()).as(noKey.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(noKey.err()).contains("no active signing key named 'ivan'");
        assertThat(served.resolve("ivan-nokey.bin")).doesNotExist();

        Run notOurs = transfer("ivan", "put", file.toString(), addr("ivan-judy.bin"), "--sign", "judy", "--to", "ivan");
        assertThat(notOurs.code()).as(notOurs.err()).isEqualTo(ExitCodes.USAGE);
        assertThat(notOurs.err()).contains("someone else's public key");
        assertThat(served.resolve("ivan-judy.bin")).doesNotExist();
    }

    @Test
    void aSignatureThatCannotBeFetchedLeavesNoUncheckedDownloadBehind() throws Exception {
        Files.createDirectories(served);
        Files.write(served.resolve("oversigned.bin"), randomBytes(3_000));
        Files.write(served.resolve("oversigned.bin.vstp-sig"), new byte[20_000]);
        Path dir = Files.createDirectories(tmp.resolve("oversigned"));
        Run r = CliEndToEndTest.run(
                "get",
                addr("oversigned.bin"),
                dir.resolve("o.bin").toString(),
                "--pin",
                fingerprint,
                "--token-file",
                tokenFile());
        assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(r.err()).contains("at most 16384 expected");
        try (var left = Files.list(dir)) {
            assertThat(left.map(p -> p.getFileName().toString())).isEmpty();
        }
    }

    @Test
    void keyRingLifecycleThroughTheCommand() throws Exception {
        Run first = as("frank", "keys", "generate", "frank");
        ok(first);
        String oldId = first.out().split("\\s+")[1];
        Run rotated = as("frank", "keys", "rotate", "frank");
        ok(rotated);
        assertThat(as("frank", "keys", "list").out())
                .contains(oldId + "  frank")
                .contains("previous");
        ok(as("frank", "keys", "retire", oldId));
        assertThat(as("frank", "keys", "list").out()).contains("retired");
        assertThat(as("frank", "keys", "rotate", "--older-than", "1d").out()).contains("no key older than");

        Path wrong = Files.writeString(tmp.resolve("wrong.txt"), "not it\n");
        Run bad = CliEndToEndTest.run(
                "keys",
                "list",
                "--keyring",
                tmp.resolve("frank.p12").toString(),
                "--passphrase-file",
                wrong.toString());
        assertThat(bad.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(bad.err()).contains("wrong passphrase");
        assertThat(as("frank", "keys", "generate", "x", "--type", "rsa").code()).isEqualTo(ExitCodes.USAGE);
        assertThat(as("frank", "keys", "retire", "frank").code()).isEqualTo(ExitCodes.USAGE);
        Run notAKey = as(
                "frank",
                "put",
                wrong.toString(),
                addr("x"),
                "--to",
                "nobody",
                "--pin",
                fingerprint,
                "--token-file",
                tokenFile());
        assertThat(notAKey.code()).isEqualTo(ExitCodes.FAILED);
        assertThat(notAKey.err()).contains("no active encryption key named 'nobody'");
    }

    @Test
    void qkdKeysFromAKmeAreMixedIntoEndToEndEncryption() throws Exception {
        Path pki = tmp.resolve("qkd-pki");
        ok(CliEndToEndTest.run("cert", "ca", "--out", pki.resolve("ca").toString()));
        ok(CliEndToEndTest.run(
                "cert",
                "server",
                "--ca-dir",
                pki.resolve("ca").toString(),
                "--name",
                "127.0.0.1",
                "--out",
                pki.resolve("kme").toString()));
        for (String sae : List.of("SAE_GINA", "SAE_HANK")) {
            ok(CliEndToEndTest.run(
                    "cert",
                    "client",
                    "--ca-dir",
                    pki.resolve("ca").toString(),
                    "--name",
                    sae,
                    "--out",
                    pki.resolve(sae).toString()));
        }
        Process kme = CliEndToEndTest.vstp(
                tmp.resolve("kme-home"),
                "qkd-sim",
                "--cert",
                pki.resolve("kme/server-cert.pem").toString(),
                "--key",
                pki.resolve("kme/server-key.pem").toString(),
                "--ca",
                pki.resolve("ca/ca-cert.pem").toString(),
                "--sae",
                "SAE_GINA",
                "--sae",
                "SAE_HANK");
        try {
            BufferedReader lines =
                    new BufferedReader(new InputStreamReader(kme.getInputStream(), StandardCharsets.UTF_8));
            String url = null;
            for (String line; url == null && (line = lines.readLine()) != null; ) {
                Matcher m = Pattern.compile("listening on (https://\\S+) ").matcher(line);
                url = m.find() ? m.group(1) : null;
            }
            assertThat(url).as("qkd-sim printed its URL").isNotNull();

            ok(as("gina", "keys", "generate", "gina"));
            ok(as("hank", "keys", "generate", "hank"));
            Path hankPub = tmp.resolve("hank.pub");
            ok(as("hank", "keys", "export", "hank", "-o", hankPub.toString()));
            byte[] secret = "meet at the usual place".getBytes(StandardCharsets.UTF_8);
            Path plain = Files.write(tmp.resolve("qkd.txt"), secret);
            ok(transfer(
                    "gina",
                    "put",
                    plain.toString(),
                    addr("qkd.txt"),
                    "--to",
                    hankPub.toString(),
                    "--qkd-kme",
                    url,
                    "--qkd-peer",
                    "SAE_HANK",
                    "--qkd-cert",
                    pki.resolve("SAE_GINA/client-cert.pem").toString(),
                    "--qkd-key",
                    pki.resolve("SAE_GINA/client-key.pem").toString(),
                    "--qkd-ca",
                    pki.resolve("ca/ca-cert.pem").toString()));

            // Hank's key ring alone is not enough: the file names a QKD key.
            Path out = tmp.resolve("qkd-back.txt");
            Run withoutKme = transfer("hank", "get", addr("qkd.txt"), out.toString());
            assertThat(withoutKme.code()).isEqualTo(ExitCodes.USAGE);
            assertThat(withoutKme.err()).contains("encrypted with a QKD key (qkd:");
            assertThat(out).doesNotExist();

            String[] hankKme = {
                "--qkd-kme",
                url,
                "--qkd-peer",
                "SAE_GINA",
                "--qkd-cert",
                pki.resolve("SAE_HANK/client-cert.pem").toString(),
                "--qkd-key",
                pki.resolve("SAE_HANK/client-key.pem").toString(),
                "--qkd-ca",
                pki.resolve("ca/ca-cert.pem").toString()
            };
            List<String> get = new ArrayList<>(List.of("get", addr("qkd.txt"), out.toString()));
            get.addAll(List.of(hankKme));
            ok(transfer("hank", get.toArray(String[]::new)));
            assertThat(out).hasBinaryContent(secret);

            // A KME delivers each key once: a second fetch is refused, clearly.
            Files.delete(out);
            Run again = transfer("hank", get.toArray(String[]::new));
            assertThat(again.code()).isEqualTo(ExitCodes.UNREACHABLE);
            assertThat(out).doesNotExist();
        } finally {
            kme.destroy();
            assertThat(kme.waitFor(15, TimeUnit.SECONDS)).isTrue();
        }
    }

    private static Path plain() throws java.io.IOException {
        return Files.write(tmp.resolve("another.bin"), new byte[] {4, 5, 6});
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        new Random(n).nextBytes(b);
        return b;
    }
}
