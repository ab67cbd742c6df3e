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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What {@code vstp serve} answers (docs/spec/services.md): a DATA frame naming no {@code service} is echoed with
 * its headers and payload (so the Rust crate's easy API gets its JSON back); {@code service: files} goes to the
 * {@link FileService}; any other service is refused with UNKNOWN_SERVICE.
 */
public final class ServiceDispatcher implements RequestHandler {
    private final FileService files;

    /** A dispatcher handing files requests to {@code files}. */
    public ServiceDispatcher(FileService files) {
        this.files = files;
    }

    /** A request over UDP from {@code peer}, where there is no session and no stream. */
    public CompletionStage<Frame> handleDatagram(Frame request, java.net.InetSocketAddress peer) {
        return dispatch(request, () -> files.handleDatagram(request, peer));
    }

    @Override
    public CompletionStage<Frame> handle(Frame request, Session session) {
        return dispatch(request, () -> files.handle(request, session));
    }

    private static CompletionStage<Frame> dispatch(Frame request,
                                                   java.util.function.Supplier<CompletionStage<Frame>> toFiles) {
        String service = request.headers().value(FilesProtocol.SERVICE_HEADER);
        if (service == null) {
            if (!request.type().equals(FrameType.DATA)) {
                return CompletableFuture.completedFuture(null);
            }
            return CompletableFuture.completedFuture(new Frame(FrameType.DATA, request.flags(), request.headers(),
                    request.payload().retainedSlice()));
        }
        if (service.equals(FilesProtocol.SERVICE)) {
            return toFiles.get();
        }
        return CompletableFuture.failedFuture(new SessionException(ErrorCode.UNKNOWN_SERVICE,
                VstpException.Scope.REQUEST, "no service '" + service + "' here (services: files, or none for echo)"));
    }
}
