package io.postino;
public class Main { public static void main(String[] a) {} }
