package io.ringpool.upload;

import io.ringpool.site.Keys;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A {@code multipart/form-data} body (RFC 7578) with one file part, as Yandex Metrica's upload
 * methods take their CSV: part name {@code file}, a file name, {@code text/csv} in UTF-8.
 */
record MultipartFile(String contentType, byte[] body) {

    static MultipartFile of(String fieldName, String fileName, String fileType, byte[] content) {
        String boundary = "ringpool-" + Keys.random("", 18).replace('-', 'x').replace('_', 'y');
        ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 256);
        String head = "--" + boundary + "\r\n"
                + "Content-Disposition: form-data; name=\"" + fieldName + "\"; filename=\"" + fileName + "\"\r\n"
                + "Content-Type: " + fileType + "\r\n\r\n";
        out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
        out.writeBytes(content);
        out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        return new MultipartFile("multipart/form-data; boundary=" + boundary, out.toByteArray());
    }
}
