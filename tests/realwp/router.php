<?php
// `php -S` router for one of newswire's test WordPress sites (tests/realwp/__init__.py):
// names the Debian host config (scripts/real-wordpress-setup), serves the site's own
// uploads, and hands every other path to WordPress as Apache's rewrite rules would.
$_SERVER['WORDPRESS_CONFIG'] = 'newswire-tests';
$root = '/usr/share/wordpress';
$path = rawurldecode(parse_url($_SERVER['REQUEST_URI'], PHP_URL_PATH) ?: '/');
if (strpos($path, '..') !== false) {
    http_response_code(400);
    return true;
}
if (strpos($path, '/wp-content/') === 0) {
    $file = getenv('NW_WP_CONTENT') . substr($path, strlen('/wp-content'));
    if (is_file($file) && substr($file, -4) !== '.php') {
        $types = ['jpg' => 'image/jpeg', 'jpeg' => 'image/jpeg', 'png' => 'image/png',
                  'gif' => 'image/gif', 'webp' => 'image/webp', 'css' => 'text/css',
                  'js' => 'application/javascript', 'svg' => 'image/svg+xml'];
        $ext = strtolower(pathinfo($file, PATHINFO_EXTENSION));
        header('Content-Type: ' . ($types[$ext] ?? 'application/octet-stream'));
        header('Content-Length: ' . filesize($file));
        readfile($file);
        return true;
    }
}
$file = $root . $path;
if (is_file($file)) {
    if (substr($file, -4) !== '.php') {
        return false;  // a static file of WordPress itself: php -S serves it from -t
    }
    chdir(dirname($file));
    $_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = $path;
    $_SERVER['SCRIPT_FILENAME'] = $file;
    require $file;
    return true;
}
if (is_dir($file) && is_file(rtrim($file, '/') . '/index.php')) {
    chdir($file);
    require rtrim($file, '/') . '/index.php';
    return true;
}
chdir($root);
$_SERVER['SCRIPT_NAME'] = $_SERVER['PHP_SELF'] = '/index.php';
$_SERVER['SCRIPT_FILENAME'] = $root . '/index.php';
require $root . '/index.php';
