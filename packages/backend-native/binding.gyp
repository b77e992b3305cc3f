{
  "targets": [
    {
      "target_name": "rectifier_native",
      "sources": ["addon/native.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-std=c++17", "-march=native", "-fno-math-errno", "-ffp-contract=off"],
      "cflags_cc!": ["-fno-exceptions"],
      "conditions": [
        ["OS=='linux'", {
          "include_dirs": ["/usr/include/openblas", "/usr/include/x86_64-linux-gnu", "/usr/include/aarch64-linux-gnu"],
          "libraries": ["-lopenblas"]
        }],
        ["OS=='mac'", {
          "include_dirs": ["/opt/homebrew/opt/openblas/include", "/usr/local/opt/openblas/include"],
          "libraries": ["-L/opt/homebrew/opt/openblas/lib", "-L/usr/local/opt/openblas/lib", "-lopenblas",
                        "-Wl,-rpath,/opt/homebrew/opt/openblas/lib", "-Wl,-rpath,/usr/local/opt/openblas/lib"],
          "xcode_settings": {
            "CLANG_CXX_LANGUAGE_STANDARD": "c++17",
            "OTHER_CPLUSPLUSFLAGS": ["-O3", "-fno-math-errno", "-ffp-contract=off"],
            "MACOSX_DEPLOYMENT_TARGET": "11.0"
          }
        }]
      ]
    }
  ]
}
