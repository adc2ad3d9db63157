<?php
// Loads one of newswire's test WordPress sites in php-cli (tests/realwp/__init__.py):
// the site is named by the environment (NW_WP_DB, NW_WP_CONTENT, NW_WP_URL), as for
// the router. The code to run comes on standard input, after WordPress has loaded.
$url = parse_url(getenv('NW_WP_URL'));
$_SERVER['WORDPRESS_CONFIG'] = 'newswire-tests';
$_SERVER['HTTP_HOST'] = $url['host'] . (isset($url['port']) ? ':' . $url['port'] : '');
$_SERVER['REQUEST_URI'] = '/';
$_SERVER['SERVER_PROTOCOL'] = 'HTTP/1.1';
if (getenv('NW_WP_INSTALL')) {
    define('WP_INSTALLING', true);
    $db = new mysqli('localhost', 'newswire', 'newswire');
    $db->query('CREATE DATABASE IF NOT EXISTS `' . $db->real_escape_string(getenv('NW_WP_DB'))
               . '` CHARACTER SET utf8mb4');
}
require '/usr/share/wordpress/wp-load.php';
$code = stream_get_contents(STDIN);
eval($code);
