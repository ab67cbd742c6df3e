package io.vstp.services;

import io.vstp.core.error.ErrorCode;
import io.vstp.core.error.VstpException;
import io.vstp.core.frame.Frame;
import io.vstp.core.frame.FrameType;
import io.vstp.services.files.FileService;
import io.vstp.services.files.FilesProtocol;
import io.vstp.transport.RequestHandler;
import io.vstp.transport.Session;
import io.vstp.transport.SessionException;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The services a VSTP server answers (docs/spec/services.md), chosen by a request's {@code service} header: a DATA
 * frame naming no service is echoed with its headers and payload (so the Rust crate's easy API gets its JSON back);
 * {@code service: files} goes to the {@link FileService}; any other service is refused with UNKNOWN_SERVICE. This is
 * what {@code vstp serve} answers over TCP and UDP.
 */
public final class ServiceDispatcher implements RequestHandler {
    private final FileService files;

    /**
     * A dispatcher handing files requests to {@code files}.
     *
     * @param files the files service; it stays the caller's to close
     */
    public ServiceDispatcher(FileService files) {
        this.files = files;
    }

    /**
     * Answers a request over UDP from {@code peer}, where there is no session and no stream.
     *
     * @param request the request frame; the caller releases it once the returned stage completes
     * @param peer the address the datagram came from, whose files requests share a queue
     * @return the answer (null for a non-DATA frame naming no service), or a failure carrying a
     *         {@link SessionException} to answer with an ERR frame
     */
    public CompletionStage<Frame> handleDatagram(Frame request, InetSocketAddress peer) {
        return dispatch(request, () -> files.handleDatagram(request, peer));
    }

    @Override
    public CompletionStage<Frame> handle(Frame request, Session session) {
        return dispatch(request, () -> files.handle(request, session));
    }

    private static CompletionStage<Frame> dispatch(Frame request, Supplier<CompletionStage<Frame>> toFiles) {
        String service = request.headers().value(FilesProtocol.SERVICE_HEADER);
        if (service == null) {
            if (!request.type().equals(FrameType.DATA)) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.completedFuture(new Frame(
                    FrameType.DATA,
                    request.flags(),
                    request.headers(),
                    request.payload().retainedSlice()));
        }
        if (service.equals(FilesProtocol.SERVICE)) {
            return toFiles.get();
        }
        return CompletableFuture.failedFuture(new SessionException(
                ErrorCode.UNKNOWN_SERVICE,
                VstpException.Scope.REQUEST,
                "no service '" + service + "' here (services: files, or none for echo)"));
    }
}
