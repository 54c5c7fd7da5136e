package io.ringpool;

public final class Main {
    public static void main(String[] args) {
    }
}
