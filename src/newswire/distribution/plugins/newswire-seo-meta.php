<?php
/**
 * Plugin Name: newswire SEO meta
 * Description: Opens Yoast SEO's and Rank Math's canonical and noindex fields of posts to
 *              the REST API, so that stories newswire pushes carry the canonical link (or
 *              noindex) the wire's terms ask for. Without it WordPress drops them silently.
 *
 * Install: copy this file into wp-content/mu-plugins/. Only users who may edit a post may
 * set its fields, as in WordPress's own editor.
 */

if (!defined('ABSPATH')) {
    exit;
}

add_action('init', function () {
    $fields = [
        '_yoast_wpseo_canonical' => 'string',
        '_yoast_wpseo_meta-robots-noindex' => 'string',
        'rank_math_canonical_url' => 'string',
        'rank_math_robots' => 'array',
    ];
    foreach ($fields as $key => $type) {
        $args = [
            'type' => $type,
            'single' => true,
            'auth_callback' => function ($allowed, $meta_key, $post_id) {
                return current_user_can('edit_post', $post_id);
            },
            'show_in_rest' => $type === 'array'
                ? ['schema' => ['type' => 'array', 'items' => ['type' => 'string']]]
                : true,
        ];
        register_post_meta('post', $key, $args);
    }
});
