package io.vstp.cli;

import io.vstp.services.files.FilesClient;
import java.util.Locale;

/** How a command reports one file's transfer: a line for people, a JSON object for scripts. */
final class TransferReport {
    private TransferReport() {}

    /** One JSON object for scripts ({@code put/get --json}); strings quoted by {@link Json#quote}. */
    static String json(FilesClient.Result r, String op, String from, String to, String security, String notes) {
        return String.format(
                Locale.ROOT,
                "{\"op\":%s,\"from\":%s,\"to\":%s,\"bytes\":%d,"
                        + "\"resumed_from\":%d,\"unchanged\":%b,\"sha256\":%s,\"seconds\":%.3f,\"security\":%s%s}",
                Json.quote(op),
                Json.quote(from),
                Json.quote(to),
                r.bytes(),
                r.resumedFrom(),
                r.unchanged(),
                Json.quote(r.sha256()),
                r.seconds(),
                Json.quote(security),
                notes.isEmpty() ? "" : ",\"notes\":" + Json.quote(notes));
    }

    /** "1.0 MiB in 0.12 s, resumed at 512.0 KiB, sha256 …" for the command's report line. */
    static String summary(FilesClient.Result r) {
        if (r.unchanged()) {
            return "already there with the same content (" + Progress.bytes(r.bytes()) + "), sha256 " + r.sha256();
        }
        return String.format(
                "%s in %.2f s%s, sha256 %s",
                Progress.bytes(r.bytes()),
                r.seconds(),
                r.resumedFrom() > 0 ? ", resumed at " + Progress.bytes(r.resumedFrom()) : "",
                r.sha256());
    }
}
